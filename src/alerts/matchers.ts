import { DriftwatchError } from '../errors.js';
import type { Labels, MatchOperator, Matcher } from './types.js';

/**
 * Label matchers, Alertmanager's (https://prometheus.io/docs/alerting/latest/configuration/#matcher):
 * what routes, inhibit rules and silences select alerts with. Pure: no I/O, no clock; the only
 * state is a cache of compiled regular expressions.
 */

/**
 * A matcher that cannot be used: bad syntax, a bad label name, an invalid regular expression.
 * The message names the matcher and the fix. The code is DW_USAGE because the command line
 * (`silence add`) lets it reach the user as is; the config loader catches it and turns its
 * message into a problem at the YAML path, and the admin API answers 400 with it.
 */
export class MatcherError extends DriftwatchError {
  constructor(message: string) {
    super('DW_USAGE', message);
    this.name = 'MatcherError';
  }
}

/** Prometheus' label names (Alertmanager's `<labelname>`). */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SYNTAX_HINT = 'use name=value, name!=value, name=~regex or name!~regex, e.g. severity="critical"';

/**
 * The compiled, anchored regular expressions by pattern. Patterns come from the config and from
 * silences, so there are few; the bound only guards against a client that creates silences with
 * ever-new patterns.
 */
const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 1024;

/**
 * RE2, which Alertmanager uses, lets a pattern start with flags such as `(?i)`; JavaScript has
 * no inline flags, so a leading `(?i)`, `(?s)` or `(?is)` becomes the RegExp's flags. `m` is
 * left out on purpose: in JavaScript it would move the anchors that make the match whole.
 */
const LEADING_FLAGS = /^\(\?([is]+)\)/;

/**
 * The regular expression of a `=~` / `!~` matcher, anchored at both ends as Alertmanager does
 * (`^(?:pattern)$`), so `fraud` matches the value `fraud` but not `fraud-v2`. ECMAScript syntax,
 * without the `u` flag so that what RE2 (Alertmanager's engine) accepts in everyday patterns,
 * such as escaped punctuation (`fraud\-v2`), reads the same; RE2-only syntax such as
 * `(?P<name>...)` is reported as invalid. Compiled once per pattern.
 *
 * Called by `matches` on every regex match and by `validateMatcher`; safe to call anywhere.
 * @throws MatcherError when the pattern is not a valid regular expression.
 */
export function compileMatcherRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  const leading = LEADING_FLAGS.exec(pattern);
  const body = leading === null ? pattern : pattern.slice(leading[0].length);
  const flags = (leading?.[1]?.includes('i') === true ? 'i' : '') + (leading?.[1]?.includes('s') ? 's' : '');
  try {
    // The bare pattern first: anchoring alone would accept `a)|(b`, which only compiles once
    // wrapped and then matches far more than the user meant.
    new RegExp(body, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(error.message.lastIndexOf(': ') + 2) : '';
    throw new MatcherError(
      `"${pattern}" is not a valid regular expression (${reason}); fix the pattern, or use = or != to compare the text exactly`,
    );
  }
  const compiled = new RegExp(`^(?:${body})$`, flags);
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(pattern, compiled);
  return compiled;
}

/**
 * Whether `labels` satisfy one matcher. A missing label reads as the empty string, as in
 * Alertmanager (a label with an empty value does not exist in Prometheus' model): `team=""`
 * and `team!~".+"` match an alert without `team`, `team!="ml"` matches it too.
 *
 * Called by the routing tree, inhibition and silences for every alert; pure.
 * @throws MatcherError for an invalid regular expression (the config loader and `Silences`
 * validate theirs first, so this only happens with matchers built by hand).
 */
export function matches(matcher: Matcher, labels: Labels): boolean {
  const value = labels[matcher.name] ?? '';
  switch (matcher.operator) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return compileMatcherRegex(matcher.value).test(value);
    case '!~':
      return !compileMatcherRegex(matcher.value).test(value);
  }
}

/**
 * Whether `labels` satisfy every matcher (a conjunction, as everywhere in Alertmanager). No
 * matchers match every alert. Pure; same errors as `matches`.
 */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const matcher of matchers) if (!matches(matcher, labels)) return false;
  return true;
}

/**
 * Checks a matcher that was not made by `parseMatcher` (from the config's object form or a
 * persisted silence): a label name and, for `=~`/`!~`, a valid regular expression.
 * @throws MatcherError naming the matcher and the fix.
 */
export function validateMatcher(matcher: Matcher): void {
  if (!LABEL_NAME.test(matcher.name)) {
    throw new MatcherError(
      `"${matcher.name}" is not a label name; use letters, digits and underscores, not starting with a digit`,
    );
  }
  if (matcher.operator === '=~' || matcher.operator === '!~') {
    try {
      compileMatcherRegex(matcher.value);
    } catch (error) {
      if (error instanceof MatcherError)
        throw new MatcherError(`matcher ${formatMatcher(matcher)}: ${error.message}`);
      throw error;
    }
  }
}

/** The operators, longest first so that `=~` is not read as `=` followed by `~`. */
const OPERATORS: readonly MatchOperator[] = ['=~', '!~', '!=', '='];

/**
 * Parses one matcher as amtool and Alertmanager's `matchers:` lists write it: `name=value`,
 * `name!=value`, `name=~regex`, `name!~regex`, with spaces allowed around the operator and the
 * value optionally double-quoted (`severity="critical"`). Inside the value `\"` is a quote, `\\`
 * a backslash and `\n` a newline; any other backslash is kept, so `model=~"fraud\.v2"` keeps
 * its regex escape (Alertmanager's classic parser does the same). The operator is the first one
 * in the text, so a value may hold `=` (`query=a=b`).
 *
 * Called by the config loader for `alerts.route` and `alerts.inhibit` matchers and by the CLI's
 * `silence add`; pure.
 * @throws MatcherError with the text, what is wrong and the fix.
 */
export function parseMatcher(text: string): Matcher {
  if (text.trim() === '') throw invalid(text, `empty; ${SYNTAX_HINT}`);
  let at = -1;
  let operator: MatchOperator | undefined;
  for (let i = 0; i < text.length && operator === undefined; i++) {
    operator = OPERATORS.find((op) => text.startsWith(op, i));
    at = i;
  }
  if (operator === undefined) throw invalid(text, `no operator; ${SYNTAX_HINT}`);
  const name = text.slice(0, at).trim();
  if (name === '') throw invalid(text, `no label name before the operator; ${SYNTAX_HINT}`);
  if (!LABEL_NAME.test(name)) {
    throw invalid(
      text,
      `"${name}" is not a label name; use letters, digits and underscores, not starting with a digit`,
    );
  }
  const value = unquote(text.slice(at + operator.length).trim());
  if (value === undefined) {
    throw invalid(
      text,
      'unescaped or unterminated double quote in the value; end a quoted value with " and write a quote inside it as \\"',
    );
  }
  if (operator === '=~' || operator === '!~') {
    try {
      compileMatcherRegex(value);
    } catch (error) {
      if (error instanceof MatcherError) throw invalid(text, error.message);
      throw error;
    }
  }
  return { name, operator, value };
}

function invalid(text: string, what: string): MatcherError {
  return new MatcherError(`invalid matcher '${text}': ${what}`);
}

/**
 * The value of a matcher as written: an optional pair of enclosing double quotes removed and the
 * escapes `\"`, `\\`, `\n` resolved; undefined when a quote is unescaped or unterminated.
 */
function unquote(raw: string): string | undefined {
  const quoted = raw.startsWith('"');
  const body = quoted ? raw.slice(1) : raw;
  let out = '';
  let closed = !quoted;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      const next = body[++i]!;
      out += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : '\\' + next;
    } else if (c === '"') {
      if (!quoted || i !== body.length - 1) return undefined;
      closed = true;
    } else {
      out += c;
    }
  }
  return closed ? out : undefined;
}

/**
 * A matcher as `parseMatcher` reads it, value always quoted (`severity="critical"`):
 * `parseMatcher(formatMatcher(m))` equals `m`. For the CLI's `silence list`, messages and logs.
 */
export function formatMatcher(matcher: Matcher): string {
  const escaped = matcher.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${matcher.name}${matcher.operator}"${escaped}"`;
}
