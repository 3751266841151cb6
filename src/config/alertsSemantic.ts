/**
 * The checks of the `alerts` section that span keys: names that must be unique, names
 * that must be defined (receivers of routes and owners, owners of schedules, the owner
 * or schedule each model names), the root route's rules (Alertmanager's: a receiver, no
 * matchers, no continue), secrets that must come from the environment or a `*_file`,
 * and the reading of those files. Like semantic.ts, they work on the interpolated YAML
 * value so that their problems come with the schema's; each looks only at values of the
 * type it expects. Called by semantic.ts only.
 */

import { isFeatureSignal } from '../alerts/signals.js';
import { templateProblems } from '../alerts/templates.js';
import { SIGNALS, type Signal } from '../alerts/types.js';
import type { ConfigProblem } from '../errors.js';
import { OWNER_RECEIVER } from './defaults.js';
import { readSecretFile } from './secretFile.js';
import { at, isMapping, suggestKey } from './values.js';

/** The contents of the `*_file` secrets of `alerts`, trailing newline removed. */
export interface AlertSecrets {
  /** `alerts.smtp.password_file`. */
  readonly smtpPassword?: string;
  /** `alerts.admin_token_file`. */
  readonly adminToken?: string;
  /** `alerts.receivers[i].hmac_secret_file`, by receiver index. */
  readonly hmacSecrets: ReadonlyMap<number, string>;
}

/** Reads the `*_file` secrets of the raw `alerts` value; problems are named by their key. */
export function readAlertSecrets(alerts: unknown, problems: ConfigProblem[]): AlertSecrets {
  const hmacSecrets = new Map<number, string>();
  const receivers = at(alerts, 'receivers');
  if (Array.isArray(receivers)) {
    receivers.forEach((receiver: unknown, index) => {
      const path = `alerts.receivers[${index}].hmac_secret_file`;
      const secret = readSecretFile(at(receiver, 'hmac_secret_file'), path, 'secret', problems);
      if (secret !== undefined) hmacSecrets.set(index, secret);
    });
  }
  const smtpPassword = readSecretFile(
    at(alerts, 'smtp', 'password_file'),
    'alerts.smtp.password_file',
    'password',
    problems,
  );
  const adminToken = readSecretFile(
    at(alerts, 'admin_token_file'),
    'alerts.admin_token_file',
    'token',
    problems,
  );
  return {
    hmacSecrets,
    ...(smtpPassword === undefined ? {} : { smtpPassword }),
    ...(adminToken === undefined ? {} : { adminToken }),
  };
}

/** The string at `key` of each item of `list` that is a mapping, with its index. */
function namesOf(list: unknown): { name: string; index: number }[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, index) => {
    const name = at(item, 'name');
    return typeof name === 'string' && name !== '' ? [{ name, index }] : [];
  });
}

/** `"x" is already the name of <list>[i]` for every repeated name. */
function duplicates(list: unknown, path: string, what: string): ConfigProblem[] {
  const first = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  for (const { name, index } of namesOf(list)) {
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else {
      problems.push({
        path: `${path}[${index}].name`,
        message: `"${name}" is already the name of ${path}[${earlier}]; give each ${what} a name of its own`,
      });
    }
  }
  return problems;
}

/** The message for a reference to a name that `known` lacks, with the nearest one or the list. */
function undefinedName(value: string, what: string, where: string, known: readonly string[]): string {
  const close = suggestKey(value, known);
  if (close !== undefined) return `"${value}" is not ${what}; did you mean "${close}"? (defined in ${where})`;
  if (known.length === 0) return `"${value}" is not ${what}, and ${where} defines none; define it there`;
  return `"${value}" is not ${what}; define it in ${where}, or use one of ${known.join(', ')}`;
}

/**
 * A secret at `key` of `mapping` (path `path`): at most one of `key` and `fileKey`, and
 * `key` from the environment, never written in the file.
 */
function secretProblems(
  mapping: unknown,
  path: string,
  key: string,
  fileKey: string,
  variable: string,
  interpolated: ReadonlySet<string>,
): ConfigProblem[] {
  if (!isMapping(mapping)) return [];
  const value = mapping[key];
  if (value !== undefined && mapping[fileKey] !== undefined) {
    return [
      {
        path: `${path}.${fileKey}`,
        message: `is set together with ${key}; keep only one of them (${fileKey} for a mounted secret)`,
      },
    ];
  }
  if (typeof value === 'string' && !interpolated.has(`${path}.${key}`)) {
    return [
      {
        path: `${path}.${key}`,
        message: `is written in the file, and secrets do not belong in the config; use ${key}: \${${variable}} (from the environment) or ${fileKey}`,
      },
    ];
  }
  return [];
}

function ruleProblems(rules: unknown): ConfigProblem[] {
  const problems = duplicates(rules, 'alerts.rules', 'rule');
  if (!Array.isArray(rules)) return problems;
  rules.forEach((rule: unknown, index) => {
    const raw = at(rule, 'signal');
    const signal = (SIGNALS as readonly unknown[]).includes(raw) ? (raw as Signal) : undefined;
    if (signal !== undefined && !isFeatureSignal(signal) && at(rule, 'features') !== undefined) {
      problems.push({
        path: `alerts.rules[${index}].features`,
        message: `applies to feature signals only, and ${signal} is a model signal; remove it`,
      });
    }
    for (const key of ['summary', 'description']) {
      const template = at(rule, key);
      if (typeof template !== 'string') continue;
      for (const message of templateProblems(template, signal)) {
        problems.push({ path: `alerts.rules[${index}].${key}`, message });
      }
    }
    const comparison = at(rule, 'comparison');
    const hysteresis = at(rule, 'resolve_hysteresis');
    if ((comparison === '==' || comparison === '!=') && typeof hysteresis === 'number' && hysteresis !== 0) {
      problems.push({
        path: `alerts.rules[${index}].resolve_hysteresis`,
        message: `applies to the comparisons >, >=, < and <= only, not ${comparison}; remove it`,
      });
    }
  });
  return problems;
}

interface Names {
  readonly receivers: readonly string[];
  readonly owners: readonly string[];
  readonly schedules: readonly string[];
}

function receiverProblems(alerts: Readonly<Record<string, unknown>>, interpolated: ReadonlySet<string>) {
  const receivers = alerts['receivers'];
  const problems = duplicates(receivers, 'alerts.receivers', 'receiver');
  if (!Array.isArray(receivers)) return problems;
  receivers.forEach((receiver: unknown, index) => {
    const path = `alerts.receivers[${index}]`;
    const type = at(receiver, 'type');
    if (at(receiver, 'name') === OWNER_RECEIVER) {
      problems.push({
        path: `${path}.name`,
        message: `"${OWNER_RECEIVER}" is reserved: a route with receiver: ${OWNER_RECEIVER} sends to the receivers of the model's owner on duty; give this receiver another name`,
      });
    }
    if (type === 'email' && !isMapping(alerts['smtp'])) {
      problems.push({
        path,
        message:
          'is an email receiver, but alerts.smtp is not configured; add it, e.g. smtp: {host: smtp.example.com, from: driftwatch@example.com}',
      });
    }
    if (type === 'webhook') {
      problems.push(
        ...secretProblems(
          receiver,
          path,
          'hmac_secret',
          'hmac_secret_file',
          'WEBHOOK_HMAC_SECRET',
          interpolated,
        ),
      );
    }
    const url = at(receiver, 'url');
    const api = typeof url === 'string' ? /\/api\/v[12]\/alerts\/?$/.exec(url) : null;
    if (type === 'alertmanager' && typeof url === 'string' && api !== null) {
      problems.push({
        path: `${path}.url`,
        message: `"${url}" ends with ${api[0]}; give the base URL, driftwatch appends /api/v2/alerts itself: ${url.slice(0, api.index) || 'http://alertmanager:9093'}`,
      });
    }
  });
  return problems;
}

function ownerProblems(alerts: Readonly<Record<string, unknown>>, names: Names): ConfigProblem[] {
  const owners = alerts['owners'];
  const problems = duplicates(owners, 'alerts.owners', 'owner');
  if (!Array.isArray(owners)) return problems;
  // Email receivers that send to the routed owner's own addresses.
  const toOwner = new Set(
    namesOf(alerts['receivers'])
      .filter(({ index }) => {
        const receiver: unknown = (alerts['receivers'] as unknown[])[index];
        return at(receiver, 'type') === 'email' && at(receiver, 'to') === 'owner';
      })
      .map(({ name }) => name),
  );
  owners.forEach((owner: unknown, index) => {
    const ownerEmail = at(owner, 'email');
    const digest = at(owner, 'digest');
    if (isMapping(digest)) {
      if (!isMapping(alerts['smtp'])) {
        problems.push({
          path: `alerts.owners[${index}].digest`,
          message:
            'is an email, but alerts.smtp is not configured; add it, e.g. smtp: {host: smtp.example.com, from: driftwatch@example.com}',
        });
      }
      if (!Array.isArray(ownerEmail) || ownerEmail.length === 0) {
        problems.push({
          path: `alerts.owners[${index}].digest`,
          message:
            "is emailed to the owner's addresses, and this owner has none; add them, e.g. email: [fraud-team@example.com]",
        });
      }
    }
    const receivers = at(owner, 'receivers');
    if (!Array.isArray(receivers)) return;
    const email = at(owner, 'email');
    receivers.forEach((receiver: unknown, position) => {
      if (typeof receiver !== 'string' || receiver === '') return;
      const path = `alerts.owners[${index}].receivers[${position}]`;
      if (!names.receivers.includes(receiver)) {
        problems.push({
          path,
          message: undefinedName(receiver, 'a receiver', 'alerts.receivers', names.receivers),
        });
      } else if (toOwner.has(receiver) && (!Array.isArray(email) || email.length === 0)) {
        problems.push({
          path,
          message: `"${receiver}" emails the owner's addresses, and this owner has none; add them, e.g. email: [fraud-team@example.com]`,
        });
      }
    });
  });
  return problems;
}

/** The dashboard link template and the delivery timings. */
function notificationProblems(alerts: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const dashboard = alerts['dashboard_url'];
  if (typeof dashboard === 'string') {
    for (const message of templateProblems(dashboard)) {
      problems.push({ path: 'alerts.dashboard_url', message });
    }
  }
  return problems;
}

function scheduleProblems(schedules: unknown, names: Names): ConfigProblem[] {
  const problems = duplicates(schedules, 'alerts.schedules', 'schedule');
  if (!Array.isArray(schedules)) return problems;
  schedules.forEach((schedule: unknown, index) => {
    const path = `alerts.schedules[${index}]`;
    const name = at(schedule, 'name');
    if (typeof name === 'string' && names.owners.includes(name)) {
      problems.push({
        path: `${path}.name`,
        message: `"${name}" is also the name of an owner, and models[].owner names either; give the schedule a name of its own`,
      });
    }
    for (const key of ['business_hours', 'after_hours']) {
      const owner = at(schedule, key);
      if (typeof owner === 'string' && owner !== '' && !names.owners.includes(owner)) {
        problems.push({
          path: `${path}.${key}`,
          message: undefinedName(owner, 'an owner', 'alerts.owners', names.owners),
        });
      }
    }
    const days = at(schedule, 'days');
    if (Array.isArray(days)) {
      const seen = new Set<unknown>();
      days.forEach((day: unknown, position) => {
        if (seen.has(day)) {
          problems.push({
            path: `${path}.days[${position}]`,
            message: `${String(day)} is listed twice; remove one`,
          });
        }
        seen.add(day);
      });
    }
    const start = minutes(at(schedule, 'start'));
    const end = minutes(at(schedule, 'end'));
    if (start !== undefined && end !== undefined && start >= end) {
      problems.push({
        path: `${path}.end`,
        message: `"${String(at(schedule, 'end'))}" is not after start ("${String(at(schedule, 'start'))}"); business hours end on the day they start, so for a night shift swap business_hours and after_hours and use the day's hours`,
      });
    }
  });
  return problems;
}

/** Minutes of a valid `HH:MM` (the schema reports the others). */
function minutes(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(value.trim()) : null;
  if (match === null) return undefined;
  const total = Number(match[1]) * 60 + Number(match[2]);
  return total <= 24 * 60 ? total : undefined;
}

/** Alertmanager's rules of a routing tree (config.Route.UnmarshalYAML), and defined receivers. */
function routeProblems(route: unknown, names: Names): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isMapping(route)) return problems;
  if (route['receiver'] === undefined) {
    problems.push({
      path: 'alerts.route.receiver',
      message:
        'is required in the root route (it takes every alert no child route takes); set it, e.g. receiver: team-email',
    });
  }
  const matchers = route['matchers'];
  if (Array.isArray(matchers) && matchers.length > 0) {
    problems.push({
      path: 'alerts.route.matchers',
      message:
        'the root route takes every alert and cannot have matchers; move them to a child route under routes',
    });
  }
  if (route['continue'] === true) {
    problems.push({
      path: 'alerts.route.continue',
      message: 'the root route has no siblings to continue to; remove it',
    });
  }
  const walk = (node: unknown, path: string): void => {
    if (!isMapping(node)) return;
    const receiver = node['receiver'];
    if (
      typeof receiver === 'string' &&
      receiver !== '' &&
      receiver !== OWNER_RECEIVER &&
      !names.receivers.includes(receiver)
    ) {
      problems.push({
        path: `${path}.receiver`,
        message: `${undefinedName(receiver, 'a receiver', 'alerts.receivers', names.receivers)}; or use ${OWNER_RECEIVER}, the receivers of the model's owner on duty`,
      });
    }
    const groupBy = node['group_by'];
    if (Array.isArray(groupBy)) {
      if (groupBy.includes('...') && groupBy.length > 1) {
        problems.push({
          path: `${path}.group_by`,
          message: 'has "..." (every label) and other labels; use either "..." alone or the labels',
        });
      }
      groupBy.forEach((label: unknown, index) => {
        if (groupBy.indexOf(label) !== index) {
          problems.push({
            path: `${path}.group_by[${index}]`,
            message: `${String(label)} is listed twice; remove one`,
          });
        }
      });
    }
    const routes = node['routes'];
    if (Array.isArray(routes))
      routes.forEach((child: unknown, index) => walk(child, `${path}.routes[${index}]`));
  };
  walk(route, 'alerts.route');
  return problems;
}

function smtpProblems(smtp: unknown, interpolated: ReadonlySet<string>): ConfigProblem[] {
  if (!isMapping(smtp)) return [];
  const problems = secretProblems(
    smtp,
    'alerts.smtp',
    'password',
    'password_file',
    'SMTP_PASSWORD',
    interpolated,
  );
  const username = smtp['username'];
  const hasPassword =
    (smtp['password'] !== undefined && smtp['password'] !== null) || smtp['password_file'] !== undefined;
  if (typeof username === 'string' && !hasPassword) {
    problems.push({
      path: 'alerts.smtp',
      message:
        'has a username but no password; add password_file: /run/secrets/smtp-password, or password: ${SMTP_PASSWORD} to take it from the environment',
    });
  }
  if ((username === undefined || username === null) && hasPassword) {
    problems.push({
      path: 'alerts.smtp',
      message: 'has a password but no username; add it, e.g. username: driftwatch',
    });
  }
  return problems;
}

/** `models[].owner` must name an owner or a schedule once alerting is configured. */
function modelOwnerProblems(models: unknown, names: Names): ConfigProblem[] {
  if (!Array.isArray(models)) return [];
  const known = [...names.owners, ...names.schedules];
  return models.flatMap((model: unknown, index) => {
    const owner = at(model, 'owner');
    if (typeof owner !== 'string' || owner === '' || known.includes(owner)) return [];
    return [
      {
        path: `models[${index}].owner`,
        message: undefinedName(owner, 'an owner or a schedule', 'alerts.owners or alerts.schedules', known),
      },
    ];
  });
}

/**
 * The problems of the raw `alerts` value that involve more than one key, and of the
 * `models[].owner` keys, which must name an owner or a schedule when `alerts` is a
 * mapping (a file without the section may name owners it defines later).
 */
export function alertsProblems(
  alerts: unknown,
  models: unknown,
  interpolated: ReadonlySet<string>,
): ConfigProblem[] {
  if (!isMapping(alerts)) return [];
  const names: Names = {
    receivers: namesOf(alerts['receivers']).map(({ name }) => name),
    owners: namesOf(alerts['owners']).map(({ name }) => name),
    schedules: namesOf(alerts['schedules']).map(({ name }) => name),
  };
  return [
    ...modelOwnerProblems(models, names),
    ...ruleProblems(alerts['rules']),
    ...ownerProblems(alerts, names),
    ...scheduleProblems(alerts['schedules'], names),
    ...routeProblems(alerts['route'], names),
    ...receiverProblems(alerts, interpolated),
    ...notificationProblems(alerts),
    ...smtpProblems(alerts['smtp'], interpolated),
    ...secretProblems(
      alerts,
      'alerts',
      'admin_token',
      'admin_token_file',
      'DRIFTWATCH_ADMIN_TOKEN',
      interpolated,
    ),
  ];
}
