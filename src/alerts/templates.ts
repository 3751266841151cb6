/**
 * An alert rule's `summary` and `description` templates: `{{model}}`, `{{feature}}`, `{{source}}`,
 * `{{value}}`, `{{threshold}}`, `{{signal}}` and `{{labels.NAME}}`, spaces inside the braces
 * allowed. Deliberately not a template language (no conditionals, no functions): the text of a page
 * is plain, and a typo is found when the config loads (`templateProblems`), not when it pages.
 * Prometheus's `{{ $value }}` / `{{ $labels.model }}` are recognised only to suggest the spelling.
 *
 * Pure.
 */

import { signalLabelNames } from './signals.js';
import type { AlertRule, Labels, Signal } from './types.js';

/** What a template is filled with: an alert's labels and value, and its rule's threshold and signal. */
export interface TemplateData {
  readonly labels: Labels;
  readonly value: number;
  readonly threshold: number;
  readonly signal: Signal;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAMED = ['model', 'feature', 'source', 'value', 'threshold', 'signal'] as const;
const KNOWN_LIST = `${NAMED.map((n) => `{{${n}}}`).join(', ')} or {{labels.NAME}}`;

/**
 * An alert value for people: 4 significant digits without trailing zeros (0.2346, 12.5, 86400),
 * scientific below 1e-3 in magnitude, where p-values live (1.234e-7); `NaN`, `+Inf`, `-Inf` as
 * Prometheus prints them. Called by the renderer; the notifiers may use it for the value line.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(3).replace(/\.?0+e/, 'e');
  // Through Number so that trailing zeros go and large values print in full (86400, not 8.640e+4).
  return String(Number(value.toPrecision(4)));
}

/** The value of a known placeholder, or undefined for an unknown one (left as written). */
function resolvePlaceholder(name: string, data: TemplateData): string | undefined {
  switch (name) {
    case 'model':
    case 'feature':
    case 'source':
      return data.labels[name] ?? '';
    case 'value':
      return formatValue(data.value);
    case 'threshold':
      // As the rule's author wrote it (0.05, not 0.05000): rounding it could misstate the rule.
      return String(data.threshold);
    case 'signal':
      return data.signal;
  }
  if (name.startsWith('labels.')) {
    const label = name.slice('labels.'.length);
    if (LABEL_NAME.test(label)) return data.labels[label] ?? '';
  }
  return undefined;
}

/**
 * `template` with its placeholders filled from `data`. A label the alert does not have renders
 * empty (`{{feature}}` of a model alert); an unknown placeholder is left as written, so a typo that
 * escaped validation shows in the page rather than silently vanishing. Called by the notifiers
 * when they build a notification; never throws.
 */
export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => resolvePlaceholder(name, data) ?? whole);
}

/**
 * A rule's `summary` and `description` for one alert (its labels and latest value). Called by the
 * notifiers and the status API.
 */
export function renderAnnotations(
  rule: AlertRule,
  alert: { readonly labels: Labels; readonly value: number },
): { summary: string; description: string } {
  const data: TemplateData = {
    labels: alert.labels,
    value: alert.value,
    threshold: rule.threshold,
    signal: rule.signal,
  };
  return { summary: renderTemplate(rule.summary, data), description: renderTemplate(rule.description, data) };
}

/**
 * What is wrong with `template`, one message per problem (empty when nothing): unknown
 * placeholders (with the spelling meant when it is Prometheus's, `{{ $value }}`), an unclosed
 * `{{`, and, when `signal` is given, `{{feature}}` / `{{source}}` that would always render empty
 * because the signal's alerts do not carry that label. Called by the config validator, which
 * prefixes the YAML key (`alerts.rules[2].summary: ...`). Pure.
 */
export function templateProblems(template: string, signal?: Signal): string[] {
  const problems: string[] = [];
  const carried: readonly string[] | undefined = signal === undefined ? undefined : signalLabelNames(signal);
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [whole, name = ''] = match;
    if (isKnown(name)) {
      const label = name.startsWith('labels.') ? name.slice('labels.'.length) : name;
      if (carried !== undefined && (label === 'feature' || label === 'source') && !carried.includes(label)) {
        problems.push(
          `${whole} is always empty: ${signal} alerts have no ${label} label (they carry ${carried.join(', ')})`,
        );
      }
      continue;
    }
    const meant = meantSpelling(name);
    problems.push(
      meant === undefined
        ? `${whole} is not a placeholder; use ${KNOWN_LIST}`
        : `${whole} is not a placeholder; write {{${meant}}}`,
    );
  }
  const open = unclosedBraces(template);
  if (open >= 0) {
    problems.push(
      `"${excerpt(template, open)}": {{ without a closing }}; close it, e.g. {{model}}, or remove the braces`,
    );
  }
  return problems;
}

function isKnown(name: string): boolean {
  if ((NAMED as readonly string[]).includes(name)) return true;
  return name.startsWith('labels.') && LABEL_NAME.test(name.slice('labels.'.length));
}

// Prometheus writes {{ $value }} and {{ $labels.model }}, Go templates {{ .Value }}; and {{Model}}
// is a slip of the shift key. The label name after `labels.` keeps its case: labels are.
function meantSpelling(name: string): string | undefined {
  const bare = name.replace(/^[$.]/, '');
  const dot = bare.indexOf('.');
  const head = (dot < 0 ? bare : bare.slice(0, dot)).toLowerCase();
  const candidate = dot < 0 ? head : `${head}${bare.slice(dot)}`;
  return candidate !== name && isKnown(candidate) ? candidate : undefined;
}

/** Where the first `{{` that opens no placeholder is, in the original text; -1 if none. */
function unclosedBraces(template: string): number {
  let from = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const open = template.slice(from, match.index).indexOf('{{');
    if (open >= 0) return from + open;
    from = match.index + match[0].length;
  }
  const open = template.slice(from).indexOf('{{');
  return open >= 0 ? from + open : -1;
}

function excerpt(text: string, at: number): string {
  const piece = text.slice(at, at + 20);
  return piece.length < text.length - at ? `${piece}...` : piece;
}
