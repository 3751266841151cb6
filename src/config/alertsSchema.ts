/**
 * The schema of the `alerts` section (PRODUCT.md §6): rules, owners, schedules, the routing
 * tree, inhibit rules, receivers and SMTP, in Alertmanager's shape where one applies
 * (route: receiver, matchers, group_by, group_wait, group_interval, repeat_interval,
 * continue, routes; inhibit_rules: source_matchers, target_matchers, equal). Checks that
 * span keys (receiver names, owners, secrets) are in alertsSemantic.ts; route inheritance
 * and the default rules are applied by alertsRuntime.ts. Used by schema.ts only; pure.
 */

import { validateDetailed } from 'node-cron';
import { z } from 'zod';

import { MatcherError, parseMatcher } from '../alerts/matchers.js';
import { validateTimezone } from '../alerts/schedule.js';
import { RESERVED_LABELS } from '../alerts/signals.js';
import { COMPARISONS, SEVERITIES, SIGNALS, WEEKDAYS, type Matcher, type Signal } from '../alerts/types.js';
import * as D from './defaults.js';
import {
  boolean,
  choice,
  duration,
  httpUrl,
  integer,
  NAME,
  NAME_RULE,
  optionalSection,
  optionalText,
  pattern,
  real,
  required,
  section,
  text,
  unknownKeyMessage,
  type RawIssue,
} from './leaves.js';
import { nearestKey, show, suggestKey } from './values.js';

// ---------------------------------------------------------------------------------------
// Leaves of the alerts section

/** Prometheus' rule for alert names: the `alertname` label of every alert of the rule. */
const RULE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Prometheus' label names; `__` names are reserved for internal use. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `addr`, or `Name <addr>` (what nodemailer takes as a sender). */
const SENDER = /^(?:[^<>@]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A name others refer to (owner, schedule, receiver). */
function nameOf(what: string, example: string) {
  return pattern(example, NAME, what, NAME_RULE);
}

/** A list; absent or null is []. `empty` is the fix when the list must not be empty. */
function list<T extends z.ZodType>(item: T, example: string, empty?: string) {
  const array = z.array(item, {
    error: (issue: RawIssue) => `${show(issue.input)} is not a list; use e.g. ${example}`,
  });
  return z.preprocess(
    (value) => value ?? [],
    empty === undefined ? array : array.min(1, { error: `is empty; ${empty}` }),
  );
}

/** Globs on model or feature names (`*` any run of characters, `?` one character). */
function globs(example: string) {
  return z
    .array(text('fraud-*'), {
      error: (issue: RawIssue) => `${show(issue.input)} is not a list of globs; use e.g. ${example}`,
    })
    .min(1, { error: `is empty; list at least one glob, e.g. ${example}, or remove the key for all ("*")` })
    .default([...D.DEFAULT_RULE_GLOBS]);
}

/** A signal of SIGNALS; an unknown one is answered with the nearest signal. */
function signal() {
  return z.unknown().transform((value, ctx): Signal => {
    if ((SIGNALS as readonly unknown[]).includes(value)) return value as Signal;
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (value === undefined) return fail(required('feature_psi (the signals are listed in docs/config.md)'));
    if (typeof value !== 'string') {
      return fail(
        `${show(value)} is not a signal; use e.g. feature_psi (the signals are listed in docs/config.md)`,
      );
    }
    const nearest = nearestKey(value, SIGNALS);
    return fail(
      `${show(value)} is not a signal; did you mean ${nearest}? (the signals are listed in docs/config.md)`,
    );
  });
}

/** A comparison; YAML reads a bare `>` as a folded block and `!=` as a tag, hence the quotes. */
function comparison() {
  const list = COMPARISONS.map((c) => `"${c}"`).join(', ');
  return z.enum(COMPARISONS, {
    error: (issue: RawIssue) => {
      if (issue.input === undefined) return required('comparison: ">"');
      if (issue.input === '' || issue.input === null) {
        return `is empty; quote the comparison, as YAML reads a bare > as a block: comparison: ">"`;
      }
      return `${show(issue.input)} is not a comparison; use one of ${list}, quoted, e.g. comparison: ">"`;
    },
  });
}

/** Any finite number (a rule's threshold). */
function threshold() {
  return z.number({
    error: (issue: RawIssue) => {
      const value = issue.input;
      if (value === undefined) return required('0.2');
      if (typeof value === 'string' && /^\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?\s*$/.test(value)) {
        return `${show(value)} is a string, not a number; remove the quotes: ${value.trim()}`;
      }
      return `${show(value)} is not a number; use e.g. 0.2`;
    },
  });
}

/** Extra labels of a rule: Prometheus label names, string values, none of RESERVED_LABELS. */
function labelSet() {
  return z.unknown().transform((value, ctx): Record<string, string> => {
    if (value === undefined || value === null) return {};
    if (!isMapping(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a mapping; write labels as name: value pairs, e.g. {team: fraud}`,
        input: value,
      });
      return z.NEVER;
    }
    const labels: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      const issue = (message: string): void => {
        ctx.addIssue({ code: 'custom', message, path: [key], input: item });
      };
      if (!LABEL_NAME.test(key) || key.startsWith('__')) {
        issue(
          'is not a valid label name; use letters, digits and "_", not starting with a digit or "__", e.g. team',
        );
      } else if (RESERVED_LABELS.includes(key)) {
        issue(
          `is set by driftwatch on every alert; use another label name (reserved: ${RESERVED_LABELS.join(', ')})`,
        );
      } else if (typeof item === 'number' || typeof item === 'boolean') {
        issue(`${show(item)} is not a string; quote it: "${String(item)}"`);
      } else if (typeof item !== 'string' || item === '') {
        issue(`${show(item)} is not a label value; use a non-empty string, e.g. team: fraud`);
      } else labels[key] = item;
    }
    return labels;
  });
}

/** A label name, or `...` (group by every label) where `dots` allows it. */
function labelName(example: string, dots = false) {
  return text(example).refine((value) => LABEL_NAME.test(value) || (dots && value === '...'), {
    error: (issue: RawIssue) =>
      `${show(issue.input)} is not a label name; use letters, digits and "_", e.g. ${example}${dots ? ', or "..." for every label' : ''}`,
  });
}

/** A list of matchers in Alertmanager's string form, one per item (alerts/matchers.ts `parseMatcher`). */
function matchers(example: string, nonEmpty: boolean) {
  return z.unknown().transform((value, ctx): Matcher[] => {
    const fail = (message: string, path: number[] = []): never => {
      ctx.addIssue({ code: 'custom', message, path, input: value });
      return z.NEVER;
    };
    if (value === undefined || value === null) {
      return nonEmpty ? fail(required(example)) : [];
    }
    if (!Array.isArray(value)) {
      return fail(`${show(value)} is not a list of matchers; use e.g. ${example}`);
    }
    if (nonEmpty && value.length === 0) {
      return fail(`is empty; list at least one matcher, e.g. ${example}`);
    }
    const out: Matcher[] = [];
    let bad = false;
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string') {
        bad = true;
        ctx.addIssue({
          code: 'custom',
          message: `${show(item)} is not a matcher; write it as a string, e.g. 'severity="critical"'`,
          path: [index],
          input: item,
        });
        return;
      }
      try {
        out.push(parseMatcher(item));
      } catch (error) {
        if (!(error instanceof MatcherError)) throw error;
        bad = true;
        ctx.addIssue({ code: 'custom', message: error.message, path: [index], input: item });
      }
    });
    return bad ? z.NEVER : out;
  });
}

/** An email address. */
function address(example: string) {
  return text(example).regex(ADDRESS, {
    error: (issue: RawIssue) => `${show(issue.input)} is not an email address; use e.g. ${example}`,
  });
}

/** A sender: `addr` or `Name <addr>`. */
function sender(example: string) {
  return text(example).regex(SENDER, {
    error: (issue: RawIssue) =>
      `${show(issue.input)} is not an email address; use e.g. ${example} or "driftwatch <${example}>"`,
  });
}

/** `24:00` is allowed for an end (Alertmanager's time_intervals do the same). */
function timeOfDay(example: string, end: boolean) {
  return z.unknown().transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (value === undefined) return fail(required(`"${example}"`));
    const match = typeof value === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(value.trim()) : null;
    if (match === null) {
      return fail(`${show(value)} is not a time of day; use 24-hour HH:MM in quotes, e.g. "${example}"`);
    }
    const hours = Number(match[1]);
    const minutes = Number(match[2]);
    if (end && hours === 24 && minutes === 0) return 24 * 60;
    if (hours > 23 || minutes > 59) {
      const range = end ? '00:00 to 23:59, or 24:00 for the end of the day' : '00:00 to 23:59';
      return fail(`${show(value)} is not a time of day; use ${range}, e.g. "${example}"`);
    }
    return hours * 60 + minutes;
  });
}

/** An IANA time zone, as Intl knows it (the tz database of the ICU Node.js ships). */
function timezone() {
  return text('Europe/Berlin').refine(validateTimezone, {
    error: (issue: RawIssue) => {
      const value = String(issue.input);
      const close = suggestKey(value, Intl.supportedValuesOf('timeZone'));
      return close !== undefined
        ? `${show(value)} is not an IANA time zone; did you mean ${close}?`
        : `${show(value)} is not an IANA time zone; use a tz database name, e.g. Europe/Berlin or UTC`;
    },
  });
}

/** A cron expression as node-cron takes it: 5 fields, or 6 with seconds first. */
function cronExpression(example: string) {
  return text(example).superRefine((value, ctx) => {
    const result = validateDetailed(value);
    if (result.valid) return;
    const fields = result.errors.map((e) => (e.value === undefined ? e.field : `${e.field} "${e.value}"`));
    ctx.addIssue({
      code: 'custom',
      message: `${show(value)} is not a cron expression (${fields.length > 0 ? `invalid ${fields.join(', ')}` : 'unreadable'}); use 5 fields, minute hour day-of-month month day-of-week, e.g. "${example}"`,
      input: value,
    });
  });
}

/** A weekday, `mon`..`sun`. */
function weekday() {
  return z.enum(WEEKDAYS, {
    error: (issue: RawIssue) => {
      const value = issue.input;
      const three = typeof value === 'string' ? value.trim().slice(0, 3).toLowerCase() : '';
      if (typeof value === 'string' && /[-:.]/.test(value)) {
        return `${show(value)} is a range; list each day, e.g. [mon, tue, wed, thu, fri]`;
      }
      if ((WEEKDAYS as readonly string[]).includes(three)) {
        return `${show(value)} is not one of ${WEEKDAYS.join(', ')}; use ${three}`;
      }
      return `${show(value)} is not a weekday; use one of ${WEEKDAYS.join(', ')}`;
    },
  });
}

// ---------------------------------------------------------------------------------------
// The shapes

const ruleShape = {
  name: pattern(
    'FraudScoreDrift',
    RULE_NAME,
    'rule name',
    'start with a letter or "_", then letters, digits or "_" (at most 128), as Prometheus alert names',
  ),
  signal: signal(),
  comparison: comparison(),
  threshold: threshold(),
  models: globs('[fraud-*]'),
  features: globs('[amount, country]'),
  for: duration('10m', undefined, true).default(D.DEFAULT_RULE_FOR),
  resolve_hysteresis: real(0.02, 0, Number.POSITIVE_INFINITY).default(D.DEFAULT_RESOLVE_HYSTERESIS),
  severity: choice(SEVERITIES, 'warning').default(D.DEFAULT_SEVERITY),
  labels: labelSet().default({}),
  summary: text('PSI of {{model}} feature {{feature}} is {{value}}').optional(),
  description: optionalText('The PSI of {{feature}} is above {{threshold}}').default(
    D.DEFAULT_RULE_DESCRIPTION,
  ),
  runbook_url: httpUrl('https://runbooks.example.com/drift').nullable().default(D.DEFAULT_RUNBOOK_URL),
};

const digestShape = {
  cron: cronExpression('0 9 * * 1-5'),
  timezone: timezone().default(D.DEFAULT_DIGEST_TIMEZONE),
};

const ownerShape = {
  name: nameOf('owner name', 'team-fraud'),
  email: list(address('fraud-team@example.com'), '[fraud-team@example.com]'),
  receivers: list(nameOf('receiver name', 'fraud-webhook'), '[fraud-webhook]'),
  digest: section(digestShape, '{cron: "0 9 * * 1-5", timezone: Europe/Berlin}').nullable().default(null),
};

const deliveryShape = {
  initial_backoff: duration('1s').default(D.DEFAULT_DELIVERY_INITIAL_BACKOFF),
  max_backoff: duration('5m').default(D.DEFAULT_DELIVERY_MAX_BACKOFF),
  give_up_after: duration('24h').default(D.DEFAULT_DELIVERY_GIVE_UP_AFTER),
  alertmanager_resend: duration('1m').default(D.DEFAULT_ALERTMANAGER_RESEND),
};

const scheduleShape = {
  name: nameOf('schedule name', 'fraud-hours'),
  timezone: timezone(),
  days: z
    .array(weekday(), {
      error: (issue: RawIssue) =>
        issue.input === undefined
          ? required('[mon, tue, wed, thu, fri]')
          : `${show(issue.input)} is not a list of weekdays; use e.g. [mon, tue, wed, thu, fri]`,
    })
    .min(1, { error: 'is empty; list the business days, e.g. [mon, tue, wed, thu, fri]' })
    .default([...D.DEFAULT_SCHEDULE_DAYS]),
  start: timeOfDay('09:00', false),
  end: timeOfDay('18:00', true),
  business_hours: nameOf('owner name', 'team-fraud'),
  after_hours: nameOf('owner name', 'oncall'),
};

/** A route as the YAML has it: unset fields are inherited (alertsRuntime.ts resolves them). */
export interface ParsedRoute {
  readonly receiver?: string | undefined;
  readonly matchers: Matcher[];
  readonly group_by?: string[] | undefined;
  readonly group_wait?: number | undefined;
  readonly group_interval?: number | undefined;
  readonly repeat_interval?: number | undefined;
  readonly continue: boolean;
  readonly routes: ParsedRoute[];
}

const routeExample = '{receiver: team-email, group_by: [alertname, model]}';

const routeShape = {
  receiver: nameOf('receiver name', 'team-email').optional(),
  matchers: matchers(`['severity="critical"']`, false).default([]),
  group_by: z
    .array(labelName('model', true), {
      error: (issue: RawIssue) =>
        `${show(issue.input)} is not a list of label names; use e.g. [alertname, model]`,
    })
    .optional(),
  group_wait: duration('30s').optional(),
  group_interval: duration('5m').optional(),
  repeat_interval: duration('4h').optional(),
  continue: boolean().default(D.DEFAULT_ROUTE_CONTINUE),
  routes: list(
    z.lazy(() => routeSchema),
    `[{matchers: ['severity="critical"'], receiver: pager}]`,
  ),
};

const routeSchema: z.ZodType<ParsedRoute> = section(routeShape, routeExample);

const inhibitRuleShape = {
  source_matchers: matchers(`['severity="critical"']`, true),
  target_matchers: matchers(`['severity="warning"']`, true),
  equal: list(labelName('model'), '[alertname, model]'),
};

const timeout = duration('10s').default(D.DEFAULT_RECEIVER_TIMEOUT);

/** `to: owner`, or a list of addresses. */
function recipients() {
  const example = '[fraud-team@example.com], or owner';
  const one = address('fraud-team@example.com');
  return z.unknown().transform((value, ctx): string[] | 'owner' => {
    if (value === 'owner') return value;
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (value === undefined) return fail(required(example));
    if (!Array.isArray(value))
      return fail(`${show(value)} is not a list of addresses or owner; use e.g. ${example}`);
    if (value.length === 0) return fail(`is empty; list at least one address, e.g. ${example}`);
    let bad = false;
    value.forEach((item: unknown, index) => {
      const result = one.safeParse(item);
      if (result.success) return;
      bad = true;
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: [index], input: item });
      }
    });
    return bad ? z.NEVER : (value as string[]);
  });
}

const emailShape = {
  name: nameOf('receiver name', 'team-email'),
  type: z.literal('email'),
  to: recipients(),
  from: sender('driftwatch@example.com').optional(),
  subject: text('[{{status}}] {{alertname}} on {{model}}').optional(),
};

const webhookShape = {
  name: nameOf('receiver name', 'fraud-webhook'),
  type: z.literal('webhook'),
  url: httpUrl('https://hooks.example.com/driftwatch'),
  hmac_secret: text('${WEBHOOK_HMAC_SECRET}').nullable().optional(),
  hmac_secret_file: text('/run/secrets/webhook-hmac').optional(),
  timeout,
};

const alertmanagerShape = {
  name: nameOf('receiver name', 'alertmanager'),
  type: z.literal('alertmanager'),
  url: httpUrl('http://alertmanager:9093'),
  timeout,
};

const RECEIVER_SHAPES = {
  email: emailShape,
  webhook: webhookShape,
  alertmanager: alertmanagerShape,
} as const;
type ReceiverType = keyof typeof RECEIVER_SHAPES;
const RECEIVER_TYPES = Object.keys(RECEIVER_SHAPES) as [ReceiverType, ...ReceiverType[]];
const receiverSchemas = {
  email: z.object(emailShape),
  webhook: z.object(webhookShape),
  alertmanager: z.object(alertmanagerShape),
};

/** One receiver as the YAML has it. */
export type ParsedReceiver =
  | z.output<(typeof receiverSchemas)['email']>
  | z.output<(typeof receiverSchemas)['webhook']>
  | z.output<(typeof receiverSchemas)['alertmanager']>;

/**
 * A receiver: its `type` picks the keys it takes, so an unknown key is named against the
 * keys of that type, and a key of another type says which type it belongs to.
 */
function receiver() {
  const typeChoice = choice(RECEIVER_TYPES, 'webhook');
  return z.unknown().transform((value, ctx): ParsedReceiver => {
    if (!isMapping(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a mapping; write it as key: value pairs, e.g. {name: fraud-webhook, type: webhook, url: https://hooks.example.com/driftwatch}`,
        input: value,
      });
      return z.NEVER;
    }
    const type = typeChoice.safeParse(value['type']);
    if (!type.success) {
      for (const issue of type.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: ['type'], input: value['type'] });
      }
      return z.NEVER;
    }
    const known = Object.keys(RECEIVER_SHAPES[type.data]);
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const owner = RECEIVER_TYPES.find((other) => Object.keys(RECEIVER_SHAPES[other]).includes(key));
      const message =
        owner !== undefined
          ? `is a key of ${owner} receivers, not of ${type.data} receivers; remove it, or use type: ${owner}`
          : unknownKeyMessage(key, known);
      ctx.addIssue({ code: 'custom', message, path: [key], input: value[key] });
    }
    const parsed = receiverSchemas[type.data].safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({
          code: 'custom',
          message: issue.message,
          path: issue.path as PropertyKey[],
          input: value,
        });
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}

const smtpShape = {
  host: text('smtp.example.com'),
  port: integer(587, 1, 65535).default(D.DEFAULT_SMTP_PORT),
  secure: boolean().default(D.DEFAULT_SMTP_SECURE),
  starttls: boolean().default(D.DEFAULT_SMTP_STARTTLS),
  username: text('driftwatch').nullable().default(null),
  password: text('${SMTP_PASSWORD}').nullable().optional(),
  password_file: text('/run/secrets/smtp-password').optional(),
  pool_size: integer(5, 1, 100).default(D.DEFAULT_SMTP_POOL_SIZE),
  reject_unauthorized: boolean().default(D.DEFAULT_SMTP_REJECT_UNAUTHORIZED),
  from: sender('driftwatch@example.com'),
};

const alertsShape = {
  default_rules: boolean().default(D.DEFAULT_DEFAULT_RULES),
  rules: list(
    section(ruleShape, '{name: FraudPsi, signal: feature_psi, comparison: ">", threshold: 0.3}'),
    '[]',
  ),
  owners: list(section(ownerShape, '{name: team-fraud, email: [fraud-team@example.com]}'), '[]'),
  schedules: list(
    section(
      scheduleShape,
      '{name: fraud-hours, timezone: Europe/Berlin, start: "09:00", end: "18:00", business_hours: team-fraud, after_hours: oncall}',
    ),
    '[]',
  ),
  route: routeSchema.nullable().default(null),
  inhibit_rules: list(
    section(
      inhibitRuleShape,
      `{source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [model]}`,
    ),
    '[]',
  ),
  receivers: list(receiver(), '[{name: team-email, type: email, to: owner}]'),
  smtp: section(smtpShape, '{host: smtp.example.com, from: driftwatch@example.com}').nullable().default(null),
  admin_token: text('${DRIFTWATCH_ADMIN_TOKEN}').nullable().optional(),
  admin_token_file: text('/run/secrets/driftwatch-admin-token').optional(),
  resolved_notifications: boolean().default(D.DEFAULT_RESOLVED_NOTIFICATIONS),
  external_url: httpUrl('http://driftwatch.ml.svc:9874').nullable().default(null),
  dashboard_url: httpUrl('https://grafana.example.com/d/driftwatch-model?var-model={{model}}')
    .nullable()
    .default(null),
  known_good_after: duration('1h').default(D.DEFAULT_KNOWN_GOOD_AFTER),
  delivery: section(deliveryShape, '{initial_backoff: 1s, max_backoff: 5m}').default({
    initial_backoff: D.DEFAULT_DELIVERY_INITIAL_BACKOFF,
    max_backoff: D.DEFAULT_DELIVERY_MAX_BACKOFF,
    give_up_after: D.DEFAULT_DELIVERY_GIVE_UP_AFTER,
    alertmanager_resend: D.DEFAULT_ALERTMANAGER_RESEND,
  }),
};

/** The `alerts` section; absent or empty is every default. */
export const alertsSchema = optionalSection(alertsShape, '{rules: [], receivers: []}');

/** The keys of each mapping of the section (receivers name theirs themselves), for schema.ts. */
export const ALERTS_KNOWN_KEYS: readonly (readonly [string, readonly string[]])[] = [
  ['alerts', Object.keys(alertsShape)],
  ['alerts.rules[]', Object.keys(ruleShape)],
  ['alerts.owners[]', Object.keys(ownerShape)],
  ['alerts.owners[].digest', Object.keys(digestShape)],
  ['alerts.delivery', Object.keys(deliveryShape)],
  ['alerts.schedules[]', Object.keys(scheduleShape)],
  ['alerts.route', Object.keys(routeShape)],
  ['alerts.route.routes[]', Object.keys(routeShape)],
  ['alerts.inhibit_rules[]', Object.keys(inhibitRuleShape)],
  ['alerts.smtp', Object.keys(smtpShape)],
];
