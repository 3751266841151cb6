import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config/load.js';
import type { AlertsConfig } from '../../../src/config/types.js';
import type { ConfigProblem } from '../../../src/errors.js';
import { DEFAULT_RULES, NO_ALERTS } from './alertDefaults.js';
import { MINIMAL, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

/** A file with one model (with `owner` lines, if any) and the given `alerts` body. */
function withAlerts(alerts: string, owner = ''): string {
  return `models:\n  - name: fraud-scorer\n${owner}alerts:\n${alerts}`;
}

const HOOK = '  receivers:\n    - {name: hook, type: webhook, url: "https://h.example.com/x"}\n';
const TEAM = '  owners:\n    - {name: team}\n';
function schedule(fields: string): string {
  return `${TEAM}  schedules:\n    - {name: s, timezone: UTC, ${fields}, business_hours: team, after_hours: team}\n`;
}
function rule(fields: string): string {
  return `  rules:\n    - {name: A, signal: error_rate, comparison: ">", threshold: 1, ${fields}}\n`;
}

describe('a full alerts section', () => {
  it('loads to exactly this object, with route inheritance resolved', () => {
    const hmac = file('hmac', 'hook-key\n');
    const admin = file('admin', 'admin-key\n');
    const yaml = [
      'models:',
      '  - name: fraud-scorer',
      '    owner: fraud-hours',
      '  - name: churn',
      '    owner: team-churn',
      'alerts:',
      '  default_rules: false',
      '  rules:',
      '    - name: ChurnErrors',
      '      signal: error_rate',
      '      comparison: ">="',
      '      threshold: 0.1',
      '      models: [churn*]',
      '    - name: AmountPsi',
      '      signal: feature_psi',
      '      comparison: ">"',
      '      threshold: 0.3',
      '      features: [amount]',
      '      for: 0s',
      '      resolve_hysteresis: 0.05',
      '      severity: info',
      '      labels: {team: fraud, tier: "1"}',
      '      description: "{{feature}} moved"',
      '      runbook_url: https://runbooks.example.com/psi',
      '  owners:',
      '    - name: team-fraud',
      '      email: [fraud@example.com]',
      '      receivers: [mail]',
      '      digest: {cron: "30 8 * * 1-5", timezone: Europe/Paris}',
      '    - {name: oncall, receivers: [hook]}',
      '    - {name: team-churn}',
      '  schedules:',
      '    - name: fraud-hours',
      '      timezone: America/New_York',
      '      start: "08:30"',
      '      end: "24:00"',
      '      business_hours: team-fraud',
      '      after_hours: oncall',
      '  route:',
      '    receiver: mail',
      '    group_wait: 10s',
      '    routes:',
      `      - matchers: ['severity="critical"', "team=~fraud|risk"]`,
      '        receiver: hook',
      '        group_by: ["..."]',
      '        continue: true',
      '        routes:',
      `          - matchers: ['model!~"test-.*"']`,
      '            repeat_interval: 30m',
      '            routes:',
      `              - matchers: ['feature!=""']`,
      '                receiver: am',
      '                group_interval: 1m',
      `      - matchers: ['severity="info"']`,
      '  inhibit_rules:',
      `    - source_matchers: ['alertname="NoEvents"']`,
      `      target_matchers: ['alertname=~"Feature.*"']`,
      '  receivers:',
      '    - {name: mail, type: email, to: owner, subject: "{{model}} alert"}',
      '    - {name: ops-mail, type: email, to: [ops@example.com, sre@example.com], from: "Ops <ops@example.com>"}',
      `    - {name: hook, type: webhook, url: "https://hooks.example.com/dw", hmac_secret_file: ${hmac}, timeout: 3s}`,
      '    - {name: hook2, type: webhook, url: "http://hooks.internal/dw", hmac_secret: "${HOOK2_SECRET}"}',
      '    - {name: am, type: alertmanager, url: "https://am.example.com:9093/", timeout: 2s}',
      '  smtp:',
      '    host: mail.example.com',
      '    port: 465',
      '    secure: true',
      '    starttls: false',
      '    username: dw',
      '    password: ${SMTP_PASSWORD}',
      '    pool_size: 2',
      '    reject_unauthorized: false',
      '    from: driftwatch@example.com',
      `  admin_token_file: ${admin}`,
      '  resolved_notifications: false',
      '  external_url: https://driftwatch.example.com',
      '  dashboard_url: "https://grafana.example.com/d/dw?var-model={{model}}"',
      '  known_good_after: 30m',
      '  delivery: {initial_backoff: 2s, max_backoff: 1s, give_up_after: 1h}',
    ].join('\n');
    const config = parseConfig(yaml, 'a.yaml', { SMTP_PASSWORD: 'smtp-pw', HOOK2_SECRET: 'hook2-key' });
    const expected: AlertsConfig = {
      rules: [
        {
          name: 'ChurnErrors',
          signal: 'error_rate',
          comparison: '>=',
          threshold: 0.1,
          models: ['churn*'],
          features: ['*'],
          forMs: 0,
          resolveHysteresis: 0,
          severity: 'warning',
          labels: {},
          summary: '{{signal}} of {{model}} is {{value}} (threshold {{threshold}})',
          description: '',
          runbookUrl: null,
        },
        {
          name: 'AmountPsi',
          signal: 'feature_psi',
          comparison: '>',
          threshold: 0.3,
          models: ['*'],
          features: ['amount'],
          forMs: 0,
          resolveHysteresis: 0.05,
          severity: 'info',
          labels: { team: 'fraud', tier: '1' },
          summary: '{{signal}} of {{model}} feature {{feature}} is {{value}} (threshold {{threshold}})',
          description: '{{feature}} moved',
          runbookUrl: 'https://runbooks.example.com/psi',
        },
      ],
      owners: [
        {
          name: 'team-fraud',
          email: ['fraud@example.com'],
          receivers: ['mail'],
          digest: { cron: '30 8 * * 1-5', timezone: 'Europe/Paris' },
        },
        { name: 'oncall', email: [], receivers: ['hook'], digest: null },
        { name: 'team-churn', email: [], receivers: [], digest: null },
      ],
      schedules: [
        {
          name: 'fraud-hours',
          timezone: 'America/New_York',
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          startMinute: 510,
          endMinute: 1440,
          businessHours: 'team-fraud',
          afterHours: 'oncall',
        },
      ],
      route: {
        receiver: 'mail',
        matchers: [],
        continue: false,
        groupBy: ['alertname'],
        groupWaitMs: 10_000,
        groupIntervalMs: 300_000,
        repeatIntervalMs: 14_400_000,
        routes: [
          {
            receiver: 'hook',
            matchers: [
              { name: 'severity', operator: '=', value: 'critical' },
              { name: 'team', operator: '=~', value: 'fraud|risk' },
            ],
            continue: true,
            groupBy: ['...'],
            groupWaitMs: 10_000,
            groupIntervalMs: 300_000,
            repeatIntervalMs: 14_400_000,
            routes: [
              {
                receiver: 'hook',
                matchers: [{ name: 'model', operator: '!~', value: 'test-.*' }],
                continue: false,
                groupBy: ['...'],
                groupWaitMs: 10_000,
                groupIntervalMs: 300_000,
                repeatIntervalMs: 1_800_000,
                routes: [
                  {
                    receiver: 'am',
                    matchers: [{ name: 'feature', operator: '!=', value: '' }],
                    continue: false,
                    groupBy: ['...'],
                    groupWaitMs: 10_000,
                    groupIntervalMs: 60_000,
                    repeatIntervalMs: 1_800_000,
                    routes: [],
                  },
                ],
              },
            ],
          },
          {
            receiver: 'mail',
            matchers: [{ name: 'severity', operator: '=', value: 'info' }],
            continue: false,
            groupBy: ['alertname'],
            groupWaitMs: 10_000,
            groupIntervalMs: 300_000,
            repeatIntervalMs: 14_400_000,
            routes: [],
          },
        ],
      },
      inhibitRules: [
        {
          sourceMatchers: [{ name: 'alertname', operator: '=', value: 'NoEvents' }],
          targetMatchers: [{ name: 'alertname', operator: '=~', value: 'Feature.*' }],
          equal: [],
        },
      ],
      receivers: [
        {
          name: 'mail',
          type: 'email',
          to: 'owner',
          from: 'driftwatch@example.com',
          subject: '{{model}} alert',
        },
        {
          name: 'ops-mail',
          type: 'email',
          to: ['ops@example.com', 'sre@example.com'],
          from: 'Ops <ops@example.com>',
          subject: null,
        },
        {
          name: 'hook',
          type: 'webhook',
          url: 'https://hooks.example.com/dw',
          hmacSecret: 'hook-key',
          timeoutMs: 3000,
        },
        {
          name: 'hook2',
          type: 'webhook',
          url: 'http://hooks.internal/dw',
          hmacSecret: 'hook2-key',
          timeoutMs: 10_000,
        },
        { name: 'am', type: 'alertmanager', url: 'https://am.example.com:9093/', timeoutMs: 2000 },
      ],
      smtp: {
        host: 'mail.example.com',
        port: 465,
        secure: true,
        starttls: false,
        username: 'dw',
        password: 'smtp-pw',
        poolSize: 2,
        rejectUnauthorized: false,
        from: 'driftwatch@example.com',
      },
      adminToken: 'admin-key',
      resolvedNotifications: false,
      defaultRules: false,
      externalUrl: 'https://driftwatch.example.com',
      dashboardUrl: 'https://grafana.example.com/d/dw?var-model={{model}}',
      knownGoodAfterMs: 30 * 60_000,
      // A max_backoff below initial_backoff is raised to it; the resend keeps its default.
      delivery: {
        initialBackoffMs: 2000,
        maxBackoffMs: 2000,
        giveUpAfterMs: 3_600_000,
        alertmanagerResendMs: 60_000,
      },
    };
    expect(config.alerts).toEqual(expected);
    expect(Object.isFrozen(config.alerts.route?.routes[0]?.routes[0]?.matchers)).toBe(true);
  });

  it('is every default without the section, or with an empty one', () => {
    expect(parseConfig(MINIMAL, 'a.yaml', {}).alerts).toEqual(NO_ALERTS);
    expect(parseConfig(`${MINIMAL}alerts:\n`, 'a.yaml', {}).alerts).toEqual(NO_ALERTS);
    expect(parseConfig(`${MINIMAL}alerts: {rules: []}\n`, 'a.yaml', {}).alerts).toEqual(NO_ALERTS);
  });

  it('does not check models[].owner when there is no alerts section', () => {
    const config = parseConfig('models:\n  - {name: a, owner: someone}\n', 'a.yaml', {});
    expect(config.models[0]?.owner).toBe('someone');
  });
});

describe('default rules', () => {
  it('adds them before the configured rules; a configured rule of the same name replaces one', () => {
    const config = parseConfig(
      withAlerts(
        '  rules:\n    - {name: HighErrorRate, signal: error_rate, comparison: ">", threshold: 0.2}\n' +
          '    - {name: Mine, signal: throughput_per_second, comparison: "<", threshold: 1}\n',
      ),
      'a.yaml',
      {},
    );
    expect(config.alerts.rules.map((r) => r.name)).toEqual([
      'FeatureDrift',
      'FeaturePsiCritical',
      'SlowPredictions',
      'NoEvents',
      'HighNullRatio',
      'HighErrorRate',
      'Mine',
    ]);
    expect(config.alerts.rules[5]).toMatchObject({ name: 'HighErrorRate', threshold: 0.2, forMs: 0 });
  });

  it('leaves them out with default_rules: false', () => {
    const config = parseConfig(withAlerts('  default_rules: false\n'), 'a.yaml', {});
    expect(config.alerts.rules).toEqual([]);
    expect(config.alerts.defaultRules).toBe(false);
    expect(DEFAULT_RULES).toHaveLength(6);
  });
});

type Case = readonly [name: string, yaml: string, problems: readonly ConfigProblem[]];

function expectProblems(cases: readonly Case[], env: Record<string, string> = {}): void {
  it.each(cases)('%s', (_name, yaml, problems) => {
    expect(problemsOf(yaml, env)).toEqual(problems);
  });
}

describe('rules', () => {
  expectProblems([
    [
      'an unknown signal, with the nearest one (a typo)',
      withAlerts('  rules:\n    - {name: A, signal: feature_psy, comparison: ">", threshold: 1}\n'),
      [
        {
          path: 'alerts.rules[0].signal',
          message:
            '"feature_psy" is not a signal; did you mean feature_psi? (the signals are listed in docs/config.md)',
        },
      ],
    ],
    [
      'an unknown signal, with the nearest one (a part of it)',
      withAlerts('  rules:\n    - {name: A, signal: p99, comparison: ">", threshold: 1}\n'),
      [
        {
          path: 'alerts.rules[0].signal',
          message:
            '"p99" is not a signal; did you mean latency_p99_seconds? (the signals are listed in docs/config.md)',
        },
      ],
    ],
    [
      'a bad comparison',
      withAlerts('  rules:\n    - {name: A, signal: error_rate, comparison: "=>", threshold: 1}\n'),
      [
        {
          path: 'alerts.rules[0].comparison',
          message:
            '"=>" is not a comparison; use one of ">", ">=", "<", "<=", "==", "!=", quoted, e.g. comparison: ">"',
        },
      ],
    ],
    [
      'an unquoted > (YAML reads it as an empty block)',
      withAlerts(
        '  rules:\n    - name: A\n      signal: error_rate\n      comparison: >\n      threshold: 1\n',
      ),
      [
        {
          path: 'alerts.rules[0].comparison',
          message: 'is empty; quote the comparison, as YAML reads a bare > as a block: comparison: ">"',
        },
      ],
    ],
    [
      'duplicate rule names',
      withAlerts(
        '  rules:\n    - {name: A, signal: error_rate, comparison: ">", threshold: 1}\n' +
          '    - {name: A, signal: error_rate, comparison: "<", threshold: 1}\n',
      ),
      [
        {
          path: 'alerts.rules[1].name',
          message: '"A" is already the name of alerts.rules[0]; give each rule a name of its own',
        },
      ],
    ],
    [
      'a rule name that is not a Prometheus alert name',
      withAlerts('  rules:\n    - {name: my-rule, signal: error_rate, comparison: ">", threshold: 1}\n'),
      [
        {
          path: 'alerts.rules[0].name',
          message:
            '"my-rule" is not a valid rule name; start with a letter or "_", then letters, digits or "_" (at most 128), as Prometheus alert names, e.g. FraudScoreDrift',
        },
      ],
    ],
    [
      'features on a model signal',
      withAlerts(rule('features: [x]')),
      [
        {
          path: 'alerts.rules[0].features',
          message: 'applies to feature signals only, and error_rate is a model signal; remove it',
        },
      ],
    ],
    [
      'hysteresis with ==',
      withAlerts(
        '  rules:\n    - {name: A, signal: feature_drift, comparison: "==", threshold: 1, resolve_hysteresis: 0.1}\n',
      ),
      [
        {
          path: 'alerts.rules[0].resolve_hysteresis',
          message: 'applies to the comparisons >, >=, < and <= only, not ==; remove it',
        },
      ],
    ],
    [
      'a reserved label',
      withAlerts(rule('labels: {severity: high}')),
      [
        {
          path: 'alerts.rules[0].labels.severity',
          message:
            'is set by driftwatch on every alert; use another label name (reserved: alertname, model, source, feature, severity)',
        },
      ],
    ],
    [
      'a for without a unit',
      withAlerts(rule('for: 10')),
      [{ path: 'alerts.rules[0].for', message: '10 has no unit; use e.g. 10s (units: ms, s, m, h, d)' }],
    ],
    [
      'a misspelt key',
      withAlerts(rule('fore: 5m')),
      [{ path: 'alerts.rules[0].fore', message: 'unknown key "fore"; did you mean "for"?' }],
    ],
    [
      'template placeholders the signal does not carry, or that do not exist',
      withAlerts(rule('summary: "{{feature}} {{ $value }}"')),
      [
        {
          path: 'alerts.rules[0].summary',
          message: '{{feature}} is always empty: error_rate alerts have no feature label (they carry model)',
        },
        { path: 'alerts.rules[0].summary', message: '{{ $value }} is not a placeholder; write {{value}}' },
      ],
    ],
  ]);
});

describe('names that must be defined', () => {
  expectProblems([
    [
      'a receiver of a route',
      withAlerts(`${HOOK}  route:\n    receiver: hook\n    routes:\n      - {receiver: hookk}\n`),
      [
        {
          path: 'alerts.route.routes[0].receiver',
          message:
            '"hookk" is not a receiver; did you mean "hook"? (defined in alerts.receivers); or use owner, the receivers of the model\'s owner on duty',
        },
      ],
    ],
    [
      'a receiver of an owner',
      withAlerts(`${HOOK}  owners:\n    - {name: team, receivers: [pager]}\n`),
      [
        {
          path: 'alerts.owners[0].receivers[0]',
          message: '"pager" is not a receiver; define it in alerts.receivers, or use one of hook',
        },
      ],
    ],
    [
      'a receiver when none is defined',
      withAlerts('  route:\n    receiver: mail\n'),
      [
        {
          path: 'alerts.route.receiver',
          message:
            '"mail" is not a receiver, and alerts.receivers defines none; define it there; or use owner, the receivers of the model\'s owner on duty',
        },
      ],
    ],
    [
      "a model's owner",
      withAlerts('  owners:\n    - {name: team-fraud}\n', '    owner: team-fruad\n'),
      [
        {
          path: 'models[0].owner',
          message:
            '"team-fruad" is not an owner or a schedule; did you mean "team-fraud"? (defined in alerts.owners or alerts.schedules)',
        },
      ],
    ],
    [
      "a schedule's owner",
      withAlerts(
        `${TEAM}  schedules:\n    - {name: s, timezone: UTC, start: "09:00", end: "17:00", business_hours: team, after_hours: nobody}\n`,
      ),
      [
        {
          path: 'alerts.schedules[0].after_hours',
          message: '"nobody" is not an owner; define it in alerts.owners, or use one of team',
        },
      ],
    ],
    [
      'a schedule named like an owner',
      withAlerts(
        `${TEAM}  schedules:\n    - {name: team, timezone: UTC, start: "09:00", end: "17:00", business_hours: team, after_hours: team}\n`,
      ),
      [
        {
          path: 'alerts.schedules[0].name',
          message:
            '"team" is also the name of an owner, and models[].owner names either; give the schedule a name of its own',
        },
      ],
    ],
  ]);
});

describe('schedules', () => {
  expectProblems([
    [
      'an unknown time zone, with the nearest one',
      withAlerts(
        schedule('timezone: Europe/Berln, start: "09:00", end: "17:00"').replace('timezone: UTC, ', ''),
      ),
      [
        {
          path: 'alerts.schedules[0].timezone',
          message: '"Europe/Berln" is not an IANA time zone; did you mean Europe/Berlin?',
        },
      ],
    ],
    [
      'an unknown time zone, nothing near',
      withAlerts(schedule('start: "09:00", end: "17:00"').replace('timezone: UTC', 'timezone: Mars/Olympus')),
      [
        {
          path: 'alerts.schedules[0].timezone',
          message:
            '"Mars/Olympus" is not an IANA time zone; use a tz database name, e.g. Europe/Berlin or UTC',
        },
      ],
    ],
    [
      '25:00',
      withAlerts(schedule('start: "25:00", end: "17:00"')),
      [
        {
          path: 'alerts.schedules[0].start',
          message: '"25:00" is not a time of day; use 00:00 to 23:59, e.g. "09:00"',
        },
      ],
    ],
    [
      '9am',
      withAlerts(schedule('start: 9am, end: "17:00"')),
      [
        {
          path: 'alerts.schedules[0].start',
          message: '"9am" is not a time of day; use 24-hour HH:MM in quotes, e.g. "09:00"',
        },
      ],
    ],
    [
      'an empty days list',
      withAlerts(schedule('days: [], start: "09:00", end: "17:00"')),
      [
        {
          path: 'alerts.schedules[0].days',
          message: 'is empty; list the business days, e.g. [mon, tue, wed, thu, fri]',
        },
      ],
    ],
    [
      'whole day names and ranges',
      withAlerts(schedule('days: [monday, mon-fri], start: "09:00", end: "17:00"')),
      [
        {
          path: 'alerts.schedules[0].days[0]',
          message: '"monday" is not one of mon, tue, wed, thu, fri, sat, sun; use mon',
        },
        {
          path: 'alerts.schedules[0].days[1]',
          message: '"mon-fri" is a range; list each day, e.g. [mon, tue, wed, thu, fri]',
        },
      ],
    ],
    [
      'an end before the start',
      withAlerts(schedule('start: "22:00", end: "06:00"')),
      [
        {
          path: 'alerts.schedules[0].end',
          message:
            '"06:00" is not after start ("22:00"); business hours end on the day they start, so for a night shift swap business_hours and after_hours and use the day\'s hours',
        },
      ],
    ],
  ]);
});

describe('routes and inhibit rules', () => {
  expectProblems([
    [
      'an invalid regular expression in a matcher',
      withAlerts(
        `${HOOK}  route:\n    receiver: hook\n    routes:\n      - {matchers: ['model=~"fraud(.*"']}\n`,
      ),
      [
        {
          path: 'alerts.route.routes[0].matchers[0]',
          message:
            'invalid matcher \'model=~"fraud(.*"\': "fraud(.*" is not a valid regular expression (Unterminated group); fix the pattern, or use = or != to compare the text exactly',
        },
      ],
    ],
    [
      'a root route without a receiver',
      withAlerts(`${HOOK}  route:\n    group_by: [model]\n`),
      [
        {
          path: 'alerts.route.receiver',
          message:
            'is required in the root route (it takes every alert no child route takes); set it, e.g. receiver: team-email',
        },
      ],
    ],
    [
      'a root route with matchers',
      withAlerts(`${HOOK}  route:\n    receiver: hook\n    matchers: ['severity="critical"']\n`),
      [
        {
          path: 'alerts.route.matchers',
          message:
            'the root route takes every alert and cannot have matchers; move them to a child route under routes',
        },
      ],
    ],
    [
      'group_by with "..." and other labels',
      withAlerts(`${HOOK}  route:\n    receiver: hook\n    group_by: ["...", model]\n`),
      [
        {
          path: 'alerts.route.group_by',
          message: 'has "..." (every label) and other labels; use either "..." alone or the labels',
        },
      ],
    ],
    [
      'a misspelt key in a nested route',
      withAlerts(
        `${HOOK}  route:\n    receiver: hook\n    routes:\n      - routes:\n          - {recevier: hook}\n`,
      ),
      [
        {
          path: 'alerts.route.routes[0].routes[0].recevier',
          message: 'unknown key "recevier"; did you mean "receiver"?',
        },
      ],
    ],
    [
      'an inhibit rule without target matchers',
      withAlerts(`  inhibit_rules:\n    - {source_matchers: ['severity="critical"'], target_matchers: []}\n`),
      [
        {
          path: 'alerts.inhibit_rules[0].target_matchers',
          message: `is empty; list at least one matcher, e.g. ['severity="warning"']`,
        },
      ],
    ],
  ]);
});

describe('receivers, smtp and secrets', () => {
  expectProblems(
    [
      [
        'an email receiver without smtp',
        withAlerts('  receivers:\n    - {name: mail, type: email, to: [a@example.com]}\n'),
        [
          {
            path: 'alerts.receivers[0]',
            message:
              'is an email receiver, but alerts.smtp is not configured; add it, e.g. smtp: {host: smtp.example.com, from: driftwatch@example.com}',
          },
        ],
      ],
      [
        'an unknown receiver type',
        withAlerts('  receivers:\n    - {name: x, type: slack, url: "https://h.example.com"}\n'),
        [
          {
            path: 'alerts.receivers[0].type',
            message: '"slack" is not one of email, webhook, alertmanager; use e.g. webhook',
          },
        ],
      ],
      [
        'a key of another receiver type',
        withAlerts(
          '  receivers:\n    - {name: am, type: alertmanager, url: "http://am:9093", hmac_secret: x}\n',
        ),
        [
          {
            path: 'alerts.receivers[0].hmac_secret',
            message:
              'is a key of webhook receivers, not of alertmanager receivers; remove it, or use type: webhook',
          },
        ],
      ],
      [
        'an Alertmanager URL with the API path',
        withAlerts(
          '  receivers:\n    - {name: am, type: alertmanager, url: "http://am:9093/api/v2/alerts"}\n',
        ),
        [
          {
            path: 'alerts.receivers[0].url',
            message:
              '"http://am:9093/api/v2/alerts" ends with /api/v2/alerts; give the base URL, driftwatch appends /api/v2/alerts itself: http://am:9093',
          },
        ],
      ],
      [
        'duplicate receiver names',
        withAlerts(`${HOOK}    - {name: hook, type: alertmanager, url: "http://am:9093"}\n`),
        [
          {
            path: 'alerts.receivers[1].name',
            message:
              '"hook" is already the name of alerts.receivers[0]; give each receiver a name of its own',
          },
        ],
      ],
      [
        'an owner-addressed email receiver for an owner without addresses',
        withAlerts(
          '  smtp: {host: smtp.example.com, from: a@example.com}\n  receivers:\n    - {name: mail, type: email, to: owner}\n' +
            '  owners:\n    - {name: team, receivers: [mail]}\n',
        ),
        [
          {
            path: 'alerts.owners[0].receivers[0]',
            message:
              '"mail" emails the owner\'s addresses, and this owner has none; add them, e.g. email: [fraud-team@example.com]',
          },
        ],
      ],
      [
        'a literal admin_token',
        withAlerts('  admin_token: hunter2\n'),
        [
          {
            path: 'alerts.admin_token',
            message:
              'is written in the file, and secrets do not belong in the config; use admin_token: ${DRIFTWATCH_ADMIN_TOKEN} (from the environment) or admin_token_file',
          },
        ],
      ],
      [
        'a literal smtp password',
        withAlerts('  smtp: {host: smtp.example.com, from: a@example.com, username: u, password: hunter2}\n'),
        [
          {
            path: 'alerts.smtp.password',
            message:
              'is written in the file, and secrets do not belong in the config; use password: ${SMTP_PASSWORD} (from the environment) or password_file',
          },
        ],
      ],
      [
        'a literal hmac_secret',
        withAlerts(
          '  receivers:\n    - {name: hook, type: webhook, url: "https://h.example.com/x", hmac_secret: s3cret}\n',
        ),
        [
          {
            path: 'alerts.receivers[0].hmac_secret',
            message:
              'is written in the file, and secrets do not belong in the config; use hmac_secret: ${WEBHOOK_HMAC_SECRET} (from the environment) or hmac_secret_file',
          },
        ],
      ],
      [
        'an smtp username without a password',
        withAlerts('  smtp: {host: smtp.example.com, from: a@example.com, username: u}\n'),
        [
          {
            path: 'alerts.smtp',
            message:
              'has a username but no password; add password_file: /run/secrets/smtp-password, or password: ${SMTP_PASSWORD} to take it from the environment',
          },
        ],
      ],
      [
        'both admin_token and admin_token_file',
        withAlerts(`  admin_token: \${T}\n  admin_token_file: ${join(dir, 'none')}\n`),
        [
          {
            path: 'alerts.admin_token_file',
            message: `cannot read "${join(dir, 'none')}": no such file (ENOENT); check the path (relative paths start from the working directory) or mount the secret there`,
          },
          {
            path: 'alerts.admin_token_file',
            message:
              'is set together with admin_token; keep only one of them (admin_token_file for a mounted secret)',
          },
        ],
      ],
    ],
    { T: 'from-env' },
  );

  it('accepts secrets from the environment, and an empty default as none', () => {
    const yaml = withAlerts(
      '  admin_token: ${ADMIN}\n  receivers:\n    - name: hook\n      type: webhook\n' +
        '      url: https://h.example.com/x\n      hmac_secret: ${HMAC:-}\n',
    );
    const config = parseConfig(yaml, 'a.yaml', { ADMIN: 'tok' });
    expect(config.alerts.adminToken).toBe('tok');
    expect(config.alerts.receivers[0]).toEqual({
      name: 'hook',
      type: 'webhook',
      url: 'https://h.example.com/x',
      hmacSecret: null,
      timeoutMs: 10_000,
    });
  });
});

describe('notifications: the owner receiver, digests, links', () => {
  expectProblems([
    [
      'a receiver named like the owner receiver',
      withAlerts('  receivers:\n    - {name: owner, type: webhook, url: "https://h.example.com/x"}\n'),
      [
        {
          path: 'alerts.receivers[0].name',
          message:
            '"owner" is reserved: a route with receiver: owner sends to the receivers of the model\'s owner on duty; give this receiver another name',
        },
      ],
    ],
    [
      'a digest without SMTP or addresses',
      withAlerts('  owners:\n    - {name: team, digest: {cron: "0 9 * * *"}}\n'),
      [
        {
          path: 'alerts.owners[0].digest',
          message:
            'is an email, but alerts.smtp is not configured; add it, e.g. smtp: {host: smtp.example.com, from: driftwatch@example.com}',
        },
        {
          path: 'alerts.owners[0].digest',
          message:
            "is emailed to the owner's addresses, and this owner has none; add them, e.g. email: [fraud-team@example.com]",
        },
      ],
    ],
    [
      'a digest with a cron expression out of range',
      withAlerts('  owners:\n    - {name: team, email: [t@example.com], digest: {cron: "0 25 * * *"}}\n'),
      [
        {
          path: 'alerts.owners[0].digest',
          message:
            'is an email, but alerts.smtp is not configured; add it, e.g. smtp: {host: smtp.example.com, from: driftwatch@example.com}',
        },
        {
          path: 'alerts.owners[0].digest.cron',
          message:
            '"0 25 * * *" is not a cron expression (invalid hour "25"); use 5 fields, minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"',
        },
      ],
    ],
    [
      'a dashboard link with an unknown placeholder',
      withAlerts('  dashboard_url: "https://g.example.com/d?m={{modle}}"\n'),
      [
        {
          path: 'alerts.dashboard_url',
          message: expect.stringContaining('{{modle}}') as unknown as string,
        },
      ],
    ],
  ]);
});

it('takes owner as the receiver of a route: the receivers of the owner on duty', () => {
  const config = parseConfig(withAlerts('  route:\n    receiver: owner\n'), 'a.yaml', {});
  expect(config.alerts.route?.receiver).toBe('owner');
});
