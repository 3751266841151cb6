/**
 * Reading and naming configuration values: durations, sizes, broker addresses, YAML
 * paths, and the known key an unknown one was probably meant to be. Pure functions,
 * shared by the schema, interpolation and the semantic checks.
 */

import * as D from './defaults.js';

// ---------------------------------------------------------------------------------------
// Showing values and paths in messages

/** How a value is named in a message: strings quoted, collections by kind. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** A YAML path in the form users read: `kafka.brokers[0]`, `models[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Walking the raw (interpolated, not yet validated) YAML value

/** Whether `value` is a YAML mapping (not null, not a list). */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `keys`, or undefined when a step is missing or not a mapping. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isMapping(current)) return undefined;
    current = current[key];
  }
  return current;
}

// ---------------------------------------------------------------------------------------
// Durations and sizes

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: D.MILLISECOND,
  s: D.SECOND,
  m: D.MINUTE,
  h: D.HOUR,
  d: D.DAY,
};

/**
 * `500ms`, `10s`, `5m`, `1h`, `1d`, or a sum of those (`1h30m`), in milliseconds;
 * undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? Number.NaN);
  }
  return total;
}

/** The shortest duration text `parseDuration` reads back to `ms` (`1h30m`, `500ms`); `0ms` for 0. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', D.DAY],
    ['h', D.HOUR],
    ['m', D.MINUTE],
    ['s', D.SECOND],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: D.BYTE,
  KiB: D.KiB,
  MiB: D.MiB,
  GiB: D.GiB,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** `512KiB`, `1MiB`, `2MB`, `100B` in bytes; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) ?(B|KiB|MiB|GiB|KB|MB|GB)$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * (SIZE_UNITS[match[2] ?? ''] ?? Number.NaN);
}

// ---------------------------------------------------------------------------------------
// Brokers

/** Why a `host:port` broker address is wrong, with the fix; undefined when it is fine. */
export function brokerProblem(broker: string): string | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(broker);
  if (scheme !== null) {
    return `${show(broker)} has a scheme; drop "${scheme[0]}": ${broker.slice(scheme[0].length)}`;
  }
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(broker);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    port = bracketed[2];
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) {
      return `${show(broker)} has an invalid IPv6 address "${host}"; use e.g. [::1]:9092`;
    }
  } else {
    const parts = broker.split(':');
    if (parts.length > 2) {
      return `${show(broker)} looks like an IPv6 address without brackets; use e.g. [::1]:9092`;
    }
    host = parts[0] ?? '';
    port = parts[1];
    if (host === '') return `${show(broker)} has no host; use host:port, e.g. localhost:9092`;
    if (!/^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(host)) {
      return `${show(broker)} has an invalid host "${host}"; use host:port, e.g. kafka-1:9092`;
    }
  }
  const shownHost = bracketed !== null ? `[${host}]` : host;
  if (port === undefined || port === '') {
    return `${show(broker)} has no port; use host:port, e.g. ${shownHost}:9092`;
  }
  if (!/^\d+$/.test(port)) {
    return `${show(broker)} has an invalid port "${port}"; use host:port, e.g. ${shownHost}:9092`;
  }
  const number = Number(port);
  if (number < 1 || number > 65535) {
    return `${show(broker)}: port ${port} is out of range; use a port from 1 to 65535, e.g. ${shownHost}:9092`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Unknown keys

/** Edit distance where swapping two neighbouring characters is one edit (`levle` -> `level`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      let best = Math.min(
        (above[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (above[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The known key an unknown one was probably meant to be: the same key in another case or
 * separator style (`groupId`, `group-id`), or a small typo (at most one edit per three
 * characters, at most three).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const squash = (key: string): string => key.toLowerCase().replace(/[-_ ]/g, '');
  const exact = known.find((key) => squash(key) === squash(unknown));
  if (exact !== undefined) return exact;
  const limit = Math.min(3, Math.max(1, Math.floor(unknown.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const key of known) {
    const distance = editDistance(unknown.toLowerCase(), key);
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The known key nearest to `unknown`, however far: one that contains it (`psi` ->
 * `feature_psi`; the shortest such), else the one at the least edit distance. For a
 * closed list that is short enough to always offer a guess (the alert signals).
 */
export function nearestKey(unknown: string, known: readonly [string, ...string[]]): string {
  const close = suggestKey(unknown, known);
  if (close !== undefined) return close;
  const lower = unknown.toLowerCase();
  const containing = known.filter((key) => lower !== '' && key.includes(lower));
  if (containing.length > 0) return containing.reduce((a, b) => (b.length < a.length ? b : a));
  let best = known[0];
  let bestDistance = editDistance(lower, best);
  for (const key of known) {
    const distance = editDistance(lower, key);
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}
