import { formatMatcher } from '../alerts/matchers.js';
import { formatValue, renderTemplate } from '../alerts/templates.js';
import type { TemplateData } from '../alerts/templates.js';
import { SIGNALS } from '../alerts/types.js';
import type { Labels, Signal } from '../alerts/types.js';
import { escapeHtml, formatDuration, formatPercent, MISSING } from '../report/format.js';
import { compareCodePoints } from '../stats/bins.js';
import type { AlertSnapshot, Notification } from './dispatcher.js';

/**
 * The subject, text and HTML of the alert emails and of the owners' digest (PRODUCT.md §6,
 * "Content" and "Digest"). What an on-call owner must see at a glance: the model and its version,
 * the feature, the signal, the value against the threshold, since when, who owns it, the last
 * known good version, and where to look next. The HTML is one email-client-safe document: tables
 * for layout, inline styles, no script, no image, no external resource; every string that comes
 * from config or data is escaped, and a link is made only of an http(s) URL. Pure: no I/O, no
 * clock (times come from the alerts and the period).
 */

/** What the email receiver knows of a model when it sends: from the events and the alert history. */
export interface ModelContext {
  /** The newest model version seen in events; null when none seen yet. */
  readonly version: string | null;
  /** The last known good version (ran long enough with no firing critical alert); null when none. */
  readonly lastGoodVersion: string | null;
}

/** Everything one alert email is made from; built by the email receiver per notification. */
export interface EmailContext {
  readonly notification: Notification;
  /** The owner the email goes to (on duty at send time), null when the receiver has fixed addresses. */
  readonly owner: string | null;
  readonly models: ReadonlyMap<string, ModelContext>;
  /** The daemon's own URL, e.g. http://driftwatch.ml.svc:9874 (links to /api/v1/alerts). */
  readonly externalURL: string;
  /** The receiver's subject template (rule template variables, rendered with the first alert), or null for the default. */
  readonly subjectTemplate: string | null;
  /** Time zone for the times shown (IANA); times also shown in UTC ISO form. Default 'UTC'. */
  readonly timezone?: string;
}

/** One email, ready for nodemailer's `subject`, `text` and `html`. */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One model of an owner's digest, as the digest job reads it from the latest evaluation. */
export interface DigestModel {
  readonly name: string;
  readonly version: string | null;
  readonly lastGoodVersion: string | null;
  /** The model's verdict at the latest evaluation. */
  readonly status: 'ok' | 'drift' | 'insufficient_data' | 'not_evaluated';
  readonly driftShare: number | null;
  readonly driftedFeatures: readonly {
    readonly source: string;
    readonly feature: string;
    readonly statistic: string;
    readonly value: number | null;
  }[];
  /** Alerts firing now. */
  readonly firing: readonly AlertSnapshot[];
}

/** One alert transition of the digest's period. */
export interface DigestEvent {
  readonly at: number;
  readonly labels: Labels;
  readonly to: 'firing' | 'resolved';
  readonly value: number | null;
}

/** Everything one digest email is made from; built by the scheduled digest job per owner. */
export interface DigestInput {
  readonly owner: string;
  /** The period, epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly models: readonly DigestModel[];
  /** Alerts of the period: firing and resolved transitions of the owner's models, oldest first. */
  readonly events: readonly DigestEvent[];
  readonly externalURL: string;
  readonly timezone?: string;
}

/** The longest subject made, in characters; a longer one is cut and ends in `…`. */
export const MAX_SUBJECT_LENGTH = 200;

/** The most period events a digest lists (the oldest first); the rest are counted, not listed. */
export const DIGEST_EVENT_LIMIT = 200;

// Distinct alertname/model pairs given a silence command, so a storm does not fill the footer.
const SILENCE_HINT_LIMIT = 5;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const COLOR = { firing: '#b91c1c', resolved: '#15803d', muted: '#6b7280', link: '#1d4ed8' } as const;
const FONT = 'font-family:Arial,Helvetica,sans-serif';

/** A value of a facts table: plain text, and the URL it links to when it is a link. */
interface Cell {
  readonly text: string;
  readonly href?: string;
}
type Fact = readonly [name: string, cell: Cell];

// ---------------------------------------------------------------------------------------------
// Alert email

/**
 * The email of one notification: the subject (the receiver's template, or Alertmanager's default
 * `[FIRING:2] FeatureDrift fraud-scorer`), then firing alerts and a "Resolved" section, each alert
 * with its facts table and description, and a footer with the alert API and how to silence.
 * Called by the email receiver per notification; pure, never throws (missing annotations show as
 * "–", an unknown time zone falls back to UTC).
 */
export function renderEmail(context: EmailContext): EmailContent {
  const { notification } = context;
  const timezone = context.timezone ?? 'UTC';
  const base = context.externalURL.replace(/\/+$/, '');
  const firing = notification.alerts.filter((a) => a.state === 'firing');
  const resolved = notification.alerts.filter((a) => a.state === 'resolved');
  const ordered = [...firing, ...resolved];
  const subject = emailSubject(context, firing.length, ordered[0]);

  const overview = [
    `${firing.length} firing, ${resolved.length} resolved; group ${labelsText(notification.groupLabels)}`,
    `Owner on duty: ${ownerText(context)}`,
  ];
  const sections: { title: string; color: string; alerts: AlertSnapshot[] }[] = [];
  if (firing.length > 0)
    sections.push({ title: `Firing (${firing.length})`, color: COLOR.firing, alerts: firing });
  if (resolved.length > 0)
    sections.push({ title: `Resolved (${resolved.length})`, color: COLOR.resolved, alerts: resolved });

  const silences = silenceCommands(firing, base);
  const footer: Fact[] = [['All alerts now', link(`${base}/api/v1/alerts`)]];

  const text: string[] = [oneLine(subject), '', ...overview.map(oneLine), ''];
  let body = banner(subject, notification.status === 'firing' ? COLOR.firing : COLOR.resolved);
  body += paragraph(overview.map(escapeHtml).join('<br>'));
  for (const section of sections) {
    text.push(`== ${section.title} ==`, '');
    body += sectionHeading(section.title, section.color);
    for (const alert of section.alerts) {
      const heading = alertHeading(alert);
      const facts = alertFacts(alert, context, timezone);
      const description = alert.annotations['description'] ?? '';
      text.push(heading, factsText(facts));
      if (description !== '') text.push('', indent(description));
      text.push('');
      body += `<tr><td style="padding:12px 24px 4px"><h3 style="margin:0;font-size:16px;color:${section.color};${FONT}">${escapeHtml(heading)}</h3></td></tr>`;
      body += `<tr><td style="padding:4px 24px">${factsHtml(facts)}</td></tr>`;
      if (description !== '') body += paragraph(multiline(description));
    }
  }
  text.push('--', factsText(footer, ''));
  body += `<tr><td style="padding:12px 24px 0;border-top:1px solid #e5e7eb">${factsHtml(footer)}</td></tr>`;
  if (silences.length > 0) {
    const note = 'To silence (needs the admin token: DRIFTWATCH_ADMIN_TOKEN or --token-file):';
    text.push(note, ...silences.map((c) => `  ${c}`));
    body += paragraph(
      `${escapeHtml(note)}${silences.map((c) => `<br><code style="font-size:12px">${escapeHtml(c)}</code>`).join('')}`,
      COLOR.muted,
    );
  }
  return { subject, text: `${text.join('\n')}\n`, html: document(subject, body) };
}

function emailSubject(context: EmailContext, firingCount: number, first: AlertSnapshot | undefined): string {
  if (context.subjectTemplate !== null) {
    return clampSubject(
      first === undefined ? context.subjectTemplate : renderWith(context.subjectTemplate, first),
    );
  }
  const { notification } = context;
  const status = notification.status === 'firing' ? `[FIRING:${firingCount}]` : '[RESOLVED]';
  // Alertmanager's default: the group label values in label-name order.
  let names = Object.keys(notification.groupLabels).sort(compareCodePoints);
  let source: Labels = notification.groupLabels;
  if (names.length === 0 && first !== undefined) {
    names = ['alertname', 'model'].filter((n) => first.labels[n] !== undefined);
    source = first.labels;
  }
  const values = names.map((n) => source[n] ?? '').filter((v) => v !== '');
  let subject = [status, ...values].join(' ');
  const summary = first?.annotations['summary'];
  if (notification.alerts.length === 1 && summary !== undefined && summary !== '') subject += ` — ${summary}`;
  return clampSubject(subject);
}

function isSignal(name: string | undefined): name is Signal {
  return name !== undefined && (SIGNALS as readonly string[]).includes(name);
}

// `renderTemplate` takes a `Signal`; when the annotation names none (absent, or a signal of a
// newer version), `{{signal}}` renders as the annotation reads, by rendering the pieces around it.
function renderWith(template: string, alert: AlertSnapshot): string {
  const raw = alert.annotations['threshold'];
  const threshold = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  const signal = alert.annotations['signal'];
  const data = (s: Signal): TemplateData => ({
    labels: alert.labels,
    value: alert.value,
    threshold,
    signal: s,
  });
  if (isSignal(signal)) return renderTemplate(template, data(signal));
  return template
    .split(/\{\{\s*signal\s*\}\}/)
    .map((piece) => renderTemplate(piece, data(SIGNALS[0])))
    .join(signal ?? '');
}

/**
 * A subject line: control characters and line breaks (which would end the header) become one
 * space, and a text longer than {@link MAX_SUBJECT_LENGTH} is cut at a code point.
 */
function clampSubject(subject: string): string {
  const line = subject.replace(/\s*[\p{Cc}\u2028\u2029][\p{Cc}\u2028\u2029\s]*/gu, ' ').trim();
  const chars = Array.from(line);
  return chars.length <= MAX_SUBJECT_LENGTH ? line : `${chars.slice(0, MAX_SUBJECT_LENGTH - 1).join('')}…`;
}

function alertHeading(alert: AlertSnapshot): string {
  const summary = alert.annotations['summary'];
  if (summary !== undefined && summary.trim() !== '') return oneLine(summary);
  const { alertname, model, feature } = alert.labels;
  return [
    alertname ?? 'Alert',
    model === undefined ? '' : `on ${model}`,
    feature === undefined ? '' : `feature ${feature}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

function alertFacts(alert: AlertSnapshot, context: EmailContext, timezone: string): Fact[] {
  const { labels, annotations } = alert;
  const model = labels['model'];
  const known = model === undefined ? undefined : context.models.get(model);
  const facts: Fact[] = [
    ['Alert', plain(labels['alertname'])],
    ['Model', plain(model)],
    ['Version', plain(known?.version ?? 'not seen yet')],
    ['Last known good version', plain(known?.lastGoodVersion ?? 'none yet')],
  ];
  const feature = labels['feature'];
  const source = labels['source'];
  if (feature !== undefined) {
    facts.push(['Feature', plain(source === undefined ? feature : `${feature} (source ${source})`)]);
  } else if (source !== undefined) {
    facts.push(['Source', plain(source)]);
  }
  facts.push(['Signal', plain(annotations['signal'])]);
  const value = annotations['value'] ?? formatValue(alert.value);
  const condition = conditionText(annotations);
  if (alert.state === 'firing') {
    facts.push(['Value vs threshold', plain(condition === '' ? value : `${value} ${condition}`)]);
  } else {
    const fires = condition === '' ? '' : ` (fires when ${condition})`;
    facts.push(['Value', plain(`resolved at ${value}${fires}`)]);
  }
  facts.push(['Severity', plain(labels['severity'])], ['Since', plain(timeText(alert.startsAt, timezone))]);
  if (alert.state === 'resolved' && alert.endsAt !== null) {
    const lasted = durationText(alert.endsAt - alert.startsAt);
    facts.push(['Resolved at', plain(`${timeText(alert.endsAt, timezone)}, after ${lasted}`)]);
  }
  facts.push(
    ['Owner', plain(ownerText(context))],
    ['Runbook', link(annotations['runbook_url'])],
    ['Dashboard', link(annotations['dashboard_url'])],
  );
  const extra = Object.keys(labels)
    .filter((n) => !['alertname', 'model', 'feature', 'source', 'severity'].includes(n))
    .sort(compareCodePoints);
  if (extra.length > 0) facts.push(['Labels', plain(extra.map((n) => `${n}="${labels[n]}"`).join(', '))]);
  return facts;
}

function conditionText(annotations: Labels): string {
  const comparison = annotations['comparison'];
  const threshold = annotations['threshold'];
  if (threshold === undefined || threshold === '') return '';
  return `${comparison ?? 'vs'} ${threshold}`;
}

function ownerText(context: EmailContext): string {
  return context.owner ?? `not named (receiver ${context.notification.receiver} sends to fixed addresses)`;
}

/** `driftwatch silence add` for each distinct alertname and model firing, quoted for a POSIX shell. */
function silenceCommands(firing: readonly AlertSnapshot[], base: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const alert of firing) {
    const matchers = ['alertname', 'model']
      .filter((name) => alert.labels[name] !== undefined)
      .map((name) => formatMatcher({ name, operator: '=', value: alert.labels[name]! }));
    const key = matchers.join(',');
    if (matchers.length === 0 || seen.has(key)) continue;
    seen.add(key);
    if (out.length === SILENCE_HINT_LIMIT) {
      out.push('…');
      break;
    }
    const args = matchers.map((m) => `--matcher ${shellQuote(m)}`).join(' ');
    const url = base === '' ? '' : ` --url ${shellQuote(base)}`;
    out.push(`driftwatch silence add ${args} --duration 2h --comment 'why'${url}`);
  }
  return out;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// Digest

/**
 * The digest email of one owner: a table per model (status, version, last known good version,
 * drift share, drifted features), the alerts firing now, and the alert transitions of the period
 * (at most {@link DIGEST_EVENT_LIMIT}). Called by the scheduled digest job per owner; pure, never
 * throws; a digest of no models says so.
 */
export function renderDigest(input: DigestInput): EmailContent {
  const timezone = input.timezone ?? 'UTC';
  const base = input.externalURL.replace(/\/+$/, '');
  const drifting = input.models.filter((m) => m.status === 'drift').length;
  const firing = input.models.flatMap((m) => m.firing.filter((a) => a.state === 'firing'));
  const modelsPart =
    input.models.length === 0
      ? 'no models'
      : `${drifting} of ${plural(input.models.length, 'model')} drifting`;
  const alertsPart = firing.length === 0 ? 'no alerts firing' : `${plural(firing.length, 'alert')} firing`;
  const subject = clampSubject(
    `[driftwatch] ${periodName(input)} for ${input.owner}: ${modelsPart}, ${alertsPart}`,
  );

  const period = `Period: ${timeText(input.from, timezone)} to ${timeText(input.to, timezone)}`;
  const owner = `Owner: ${oneLine(input.owner)}`;
  const text: string[] = [subject, '', owner, period, ''];
  let body = banner(subject, firing.length > 0 || drifting > 0 ? COLOR.firing : COLOR.resolved);
  body += paragraph(`${escapeHtml(owner)}<br>${escapeHtml(period)}`);

  text.push(`== Models (${input.models.length}) ==`, '');
  body += sectionHeading(`Models (${input.models.length})`, COLOR.muted);
  if (input.models.length === 0) {
    const none = `No models are routed to ${input.owner}.`;
    text.push(none, '');
    body += paragraph(escapeHtml(none));
  }
  for (const model of input.models) {
    const facts = modelFacts(model);
    text.push(oneLine(model.name), factsText(facts), '');
    const color = model.status === 'drift' ? COLOR.firing : COLOR.muted;
    body += `<tr><td style="padding:12px 24px 4px"><h3 style="margin:0;font-size:16px;color:${color};${FONT}">${escapeHtml(model.name)}</h3></td></tr>`;
    body += `<tr><td style="padding:4px 24px">${factsHtml(facts)}</td></tr>`;
  }

  text.push(`== Firing now (${firing.length}) ==`, '');
  body += sectionHeading(`Firing now (${firing.length})`, firing.length > 0 ? COLOR.firing : COLOR.muted);
  const firingRows = firing.map((a) => [
    a.labels['alertname'] ?? MISSING,
    a.labels['model'] ?? MISSING,
    featureText(a.labels),
    `${a.annotations['value'] ?? formatValue(a.value)} ${conditionText(a.annotations)}`.trim(),
    timeText(a.startsAt, timezone),
    a.annotations['summary'] ?? '',
  ]);
  const firingHeader = ['Alert', 'Model', 'Feature', 'Value vs threshold', 'Since', 'Summary'];
  text.push(firing.length === 0 ? 'Nothing is firing.' : rowsText(firingHeader, firingRows), '');
  body += firing.length === 0 ? paragraph('Nothing is firing.') : tableHtml(firingHeader, firingRows);

  const shown = input.events.slice(0, DIGEST_EVENT_LIMIT);
  text.push(`== Alert events of the period (${input.events.length}) ==`, '');
  body += sectionHeading(`Alert events of the period (${input.events.length})`, COLOR.muted);
  const eventHeader = ['Time', 'Alert', 'Model', 'Feature', 'Change', 'Value'];
  const eventRows = shown.map((e) => [
    timeText(e.at, timezone),
    e.labels['alertname'] ?? MISSING,
    e.labels['model'] ?? MISSING,
    featureText(e.labels),
    e.to,
    e.value === null ? MISSING : formatValue(e.value),
  ]);
  const more = input.events.length - shown.length;
  const moreText = more > 0 ? `${plural(more, 'later event')} not listed.` : '';
  if (shown.length === 0) {
    text.push('No alert fired or resolved in the period.', '');
    body += paragraph('No alert fired or resolved in the period.');
  } else {
    text.push(rowsText(eventHeader, eventRows), ...(moreText === '' ? [] : [moreText]), '');
    body += tableHtml(eventHeader, eventRows);
    if (moreText !== '') body += paragraph(escapeHtml(moreText), COLOR.muted);
  }

  const footer: Fact[] = [['All alerts now', link(`${base}/api/v1/alerts`)]];
  text.push('--', factsText(footer, ''));
  body += `<tr><td style="padding:12px 24px 16px;border-top:1px solid #e5e7eb">${factsHtml(footer)}</td></tr>`;
  return { subject, text: `${text.join('\n')}\n`, html: document(subject, body) };
}

const STATUS_TEXT: Readonly<Record<DigestModel['status'], string>> = {
  ok: 'ok',
  drift: 'drifting',
  insufficient_data: 'insufficient data',
  not_evaluated: 'not evaluated yet',
};

function modelFacts(model: DigestModel): Fact[] {
  const features = model.driftedFeatures.map(
    (f) =>
      `${f.feature} (source ${f.source}): ${f.statistic} ${f.value === null ? MISSING : formatValue(f.value)}`,
  );
  return [
    ['Status', plain(STATUS_TEXT[model.status] ?? model.status)],
    ['Version', plain(model.version ?? 'not seen yet')],
    ['Last known good version', plain(model.lastGoodVersion ?? 'none yet')],
    ['Drift share', plain(formatPercent(model.driftShare))],
    ['Drifted features', plain(features.length === 0 ? 'none' : features.join('; '))],
    ['Alerts firing', plain(String(model.firing.filter((a) => a.state === 'firing').length))],
  ];
}

function periodName(input: DigestInput): string {
  const length = input.to - input.from;
  // An hour either way: a day that crosses a daylight saving change is 23 or 25 hours long.
  if (Math.abs(length - DAY_MS) <= HOUR_MS) return 'Daily digest';
  if (Math.abs(length - 7 * DAY_MS) <= HOUR_MS) return 'Weekly digest';
  return 'Digest';
}

function featureText(labels: Labels): string {
  const feature = labels['feature'];
  if (feature === undefined) return MISSING;
  const source = labels['source'];
  return source === undefined ? feature : `${feature} (${source})`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Text and HTML pieces

function plain(text: string | undefined): Cell {
  return { text: text === undefined || text === '' ? MISSING : text };
}

// Only http(s) URLs become links: a `javascript:` URL from a config file must not be clickable.
function link(url: string | undefined): Cell {
  if (url === undefined || url === '') return { text: 'none' };
  return /^https?:\/\//i.test(url) ? { text: url, href: url } : { text: url };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ');
}

function indent(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `  ${line}`)
    .join('\n');
}

function labelsText(labels: Labels): string {
  const names = Object.keys(labels).sort(compareCodePoints);
  return names.length === 0 ? '(all alerts)' : names.map((n) => `${n}="${labels[n]}"`).join(', ');
}

function factsText(facts: readonly Fact[], prefix = '  '): string {
  const width = Math.max(...facts.map(([name]) => name.length)) + 1;
  return facts.map(([name, cell]) => `${prefix}${`${name}:`.padEnd(width)} ${oneLine(cell.text)}`).join('\n');
}

function rowsText(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? oneLine(cell) : `${header[i]}: ${oneLine(cell)}`))
        .filter((cell) => !cell.endsWith(`: ${MISSING}`) && !cell.endsWith(': '))
        .join(' | '),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

function cellHtml(cell: Cell): string {
  if (cell.href === undefined) return escapeHtml(cell.text);
  return `<a href="${escapeHtml(cell.href)}" style="color:${COLOR.link}">${escapeHtml(cell.text)}</a>`;
}

function factsHtml(facts: readonly Fact[]): string {
  const rows = facts.map(
    ([name, cell]) =>
      `<tr><th align="left" valign="top" style="padding:3px 12px 3px 0;color:${COLOR.muted};font-weight:normal;white-space:nowrap">${escapeHtml(name)}</th>` +
      `<td valign="top" style="padding:3px 0">${cellHtml(cell)}</td></tr>`,
  );
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:14px;${FONT}">${rows.join('')}</table>`;
}

function tableHtml(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = header
    .map(
      (h) =>
        `<th align="left" style="padding:4px 8px;border-bottom:1px solid #d1d5db;color:${COLOR.muted};font-weight:normal">${escapeHtml(h)}</th>`,
    )
    .join('');
  const trs = rows
    .map(
      (row) =>
        `<tr>${row.map((c) => `<td valign="top" style="padding:4px 8px;border-bottom:1px solid #f3f4f6">${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<tr><td style="padding:4px 24px"><table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:13px;${FONT}"><tr>${th}</tr>${trs}</table></td></tr>`;
}

function multiline(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

// `content` is HTML already escaped by the caller.
function paragraph(content: string, color = '#111827'): string {
  return `<tr><td style="padding:8px 24px;font-size:14px;line-height:1.5;color:${color};${FONT}">${content}</td></tr>`;
}

function banner(title: string, color: string): string {
  return `<tr><td style="padding:16px 24px;background:${color};color:#ffffff;font-size:18px;font-weight:bold;${FONT}">${escapeHtml(title)}</td></tr>`;
}

function sectionHeading(title: string, color: string): string {
  return `<tr><td style="padding:16px 24px 4px"><h2 style="margin:0;font-size:17px;color:${color};border-bottom:2px solid ${color};${FONT}">${escapeHtml(title)}</h2></td></tr>`;
}

function document(title: string, rows: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:16px;background:#f3f4f6;${FONT};color:#111827">` +
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;max-width:760px;margin:0 auto;background:#ffffff">' +
    `${rows}</table></body></html>\n`
  );
}

// ---------------------------------------------------------------------------------------------
// Times

// One formatter per zone name (null: a name Intl does not know); bounded by the configured zones.
const zoneFormatters = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat | null {
  if (zoneFormatters.has(timeZone)) return zoneFormatters.get(timeZone) ?? null;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    formatter = null; // the config validator checks zones; an email is still better than none
  }
  zoneFormatters.set(timeZone, formatter);
  return formatter;
}

/**
 * A time as UTC RFC 3339 to the second (`2026-05-02T12:00:00Z`), preceded by the wall time in
 * `timeZone` when that is not UTC (`2026-05-02 14:00:00 Europe/Berlin (2026-05-02T12:00:00Z)`).
 */
function timeText(ms: number, timeZone: string): string {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) return MISSING;
  const iso = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (/^(Etc\/)?(UTC|GMT)$/i.test(timeZone)) return iso;
  const formatter = zoneFormatter(timeZone);
  if (formatter === null) return iso;
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of formatter.formatToParts(date)) part[type] = value;
  const wall = `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
  return `${wall} ${timeZone} (${iso})`;
}

function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return MISSING;
  const seconds = Math.round(ms / 1000);
  return seconds === 0 ? 'less than a second' : formatDuration(seconds * 1000);
}
