/**
 * The leaf schemas of the YAML file: strings, numbers, durations, sizes, URLs, mappings,
 * each with error messages written for the person editing the file: what is wrong and how
 * to fix it (`"10 minutes" is not a duration; use e.g. 10m`). schema.ts and alertsSchema.ts
 * build the sections from them. Pure: no I/O.
 */

import { z } from 'zod';

import * as D from './defaults.js';
import { brokerProblem, parseDuration, parseSize, show, suggestKey } from './values.js';

/**
 * Names of things a config defines and other keys refer to (models, owners, schedules,
 * receivers): letters and digits of any script, as they become label values, and
 * Prometheus label values are UTF-8.
 */
export const NAME = /^[\p{L}\p{N}][\p{L}\p{N}._:-]{0,127}$/u;
export const NAME_RULE =
  'start with a letter or digit (any script), then letters, digits, ".", "_", ":" or "-" (at most 128)';

/** The part of a raw zod issue the message builders read. */
export interface RawIssue {
  readonly input?: unknown;
}

/** The message for a missing required key. */
export function required(example: string): string {
  return `is required; set it, e.g. ${example}`;
}

/** A non-empty string; `example` is shown in the fix. */
export function text(example: string) {
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(example);
    if (value === '') return `is empty; set it, e.g. ${example}`;
    if (typeof value === 'number' || typeof value === 'boolean') {
      return `${show(value)} is not a string; quote it: "${String(value)}"`;
    }
    return `${show(value)} is not a string; use e.g. ${example}`;
  };
  return z.string({ error }).min(1, { error });
}

/** A string matching `pattern`; `rule` says what is allowed. */
export function pattern(example: string, regex: RegExp, what: string, rule: string) {
  return text(example).regex(regex, {
    error: (issue: RawIssue) => `${show(issue.input)} is not a valid ${what}; ${rule}, e.g. ${example}`,
  });
}

/** A whole number in [min, max]. */
export function integer(example: number, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? `a whole number of at least ${min}`
      : `a whole number from ${min} to ${max}`;
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(String(example));
    if (typeof value === 'string' && /^\s*[-+]?\d+(?:\.\d+)?\s*$/.test(value)) {
      return `${show(value)} is a string, not a number; remove the quotes: ${value.trim()}`;
    }
    if (typeof value !== 'number') return `${show(value)} is not a number; use ${range}, e.g. ${example}`;
    if (!Number.isInteger(value)) return `${show(value)} is not a whole number; use e.g. ${example}`;
    return `${show(value)} is out of range; use ${range}, e.g. ${example}`;
  };
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A real number in [min, max] (or (min, max] with `exclusiveMin`); `max` may be Infinity. */
export function real(example: number, min: number, max: number, exclusiveMin = false) {
  const range =
    max === Number.POSITIVE_INFINITY
      ? `a number ${exclusiveMin ? 'above' : 'of at least'} ${min}`
      : `a number ${exclusiveMin ? 'above' : 'from'} ${min} ${exclusiveMin ? 'and at most' : 'to'} ${max}`;
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(String(example));
    if (typeof value === 'string' && /^\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?\s*$/.test(value)) {
      return `${show(value)} is a string, not a number; remove the quotes: ${value.trim()}`;
    }
    if (typeof value !== 'number') return `${show(value)} is not a number; use ${range}, e.g. ${example}`;
    return `${show(value)} is out of range; use ${range}, e.g. ${example}`;
  };
  const base = z.number({ error });
  return (exclusiveMin ? base.gt(min, { error }) : base.min(min, { error })).max(max, { error });
}

export function boolean() {
  return z.boolean({
    error: (issue: RawIssue) =>
      issue.input === undefined
        ? required('true')
        : `${show(issue.input)} is not a boolean; use true or false (without quotes)`,
  });
}

/** One of a fixed set of strings; `example` is shown when the input is not close to one. */
export function choice<const T extends readonly [string, ...string[]]>(values: T, example: T[number]) {
  return z.enum(values, {
    error: (issue: RawIssue) => {
      const value = issue.input;
      const list = values.join(', ');
      if (value === undefined) return `is required; use one of ${list}`;
      if (typeof value === 'string' && (values as readonly string[]).includes(value.toLowerCase())) {
        return `${show(value)} is not one of ${list}; use ${value.toLowerCase()} (lower case)`;
      }
      const close = typeof value === 'string' ? suggestKey(value, values) : undefined;
      if (close !== undefined) return `${show(value)} is not one of ${list}; did you mean ${close}?`;
      return `${show(value)} is not one of ${list}; use e.g. ${example}`;
    },
  });
}

/**
 * A duration string (`15s`) in milliseconds, positive and at most MAX_DURATION; with
 * `zeroAllowed`, `0s` too (an alert rule's `for: 0s` fires at once).
 */
export function duration(example: string, minimum?: { ms: number; why: string }, zeroAllowed = false) {
  return z.unknown().transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (typeof value === 'number') {
      return fail(`${show(value)} has no unit; use e.g. ${value > 0 ? value : 15}s (units: ms, s, m, h, d)`);
    }
    if (typeof value !== 'string') {
      return fail(`${show(value)} is not a duration; use e.g. ${example} (units: ms, s, m, h, d)`);
    }
    const ms = parseDuration(value);
    if (ms === undefined) return fail(`${show(value)} is not a duration; use e.g. ${example}`);
    if (!Number.isInteger(ms)) {
      return fail(`${show(value)} is not a whole number of milliseconds; use e.g. ${example}`);
    }
    if (ms < 0 || (ms === 0 && !zeroAllowed)) {
      return fail(`${show(value)} must be longer than 0; use e.g. ${example}`);
    }
    if (ms > D.MAX_DURATION) {
      return fail(
        `${show(value)} is longer than 24d, the longest timer Node.js can run; use e.g. ${example}`,
      );
    }
    if (minimum !== undefined && ms < minimum.ms) {
      return fail(`${show(value)} is too short: ${minimum.why}; use e.g. ${example}`);
    }
    return ms;
  });
}

/** A size in bytes: a whole number, or a string with a unit (`512KiB`, `1MiB`). */
export function size(example: string) {
  return z.unknown().transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    let bytes: number | undefined;
    if (typeof value === 'number') bytes = value;
    else if (typeof value === 'string') {
      if (/^\d+$/.test(value))
        return fail(`${show(value)} has no unit; use ${value} (bytes) or e.g. ${example}`);
      bytes = parseSize(value);
      if (bytes === undefined) {
        return fail(
          `${show(value)} is not a size; use e.g. ${example} (units: B, KiB, MiB, GiB, KB, MB, GB)`,
        );
      }
    } else {
      return fail(`${show(value)} is not a size; use a number of bytes or e.g. ${example}`);
    }
    if (!Number.isInteger(bytes)) {
      return fail(`${show(value)} is not a whole number of bytes; use e.g. ${example}`);
    }
    if (bytes < 1 || bytes > Number.MAX_SAFE_INTEGER) {
      return fail(`${show(value)} is out of range; use at least 1 byte, e.g. ${example}`);
    }
    return bytes;
  });
}

/** `[host:port, ...]`, or one comma-separated string (handy with `${KAFKA_BROKERS}`). */
export function brokers() {
  const example = '[kafka-1:9092, kafka-2:9092]';
  return z.unknown().transform((value, ctx): string[] => {
    let list: unknown[];
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: required(example), input: value });
      return z.NEVER;
    }
    if (typeof value === 'string') list = value.split(',').map((item) => item.trim());
    else if (Array.isArray(value)) list = value;
    else {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a list of brokers; use e.g. ${example}`,
        input: value,
      });
      return z.NEVER;
    }
    if (list.length === 0 || (list.length === 1 && list[0] === '')) {
      ctx.addIssue({
        code: 'custom',
        message: `is empty; list at least one broker, e.g. ${example}`,
        input: value,
      });
      return z.NEVER;
    }
    list.forEach((item, index) => {
      const message =
        typeof item === 'string'
          ? brokerProblem(item)
          : `${show(item)} is not a broker address; use host:port, e.g. localhost:9092`;
      if (message !== undefined) ctx.addIssue({ code: 'custom', message, path: [index], input: item });
    });
    return list as string[];
  });
}

/** An http(s) URL with a host, such as a server's base URL. */
export function httpUrl(example: string) {
  return text(example).refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: (issue: RawIssue) => `${show(issue.input)} is not an http(s) URL; use e.g. ${example}` },
  );
}

/** A string that may be empty (the empty string means "none"). */
export function optionalText(example: string) {
  return z.string({
    error: (issue: RawIssue) =>
      typeof issue.input === 'number' || typeof issue.input === 'boolean'
        ? `${show(issue.input)} is not a string; quote it: "${String(issue.input)}"`
        : `${show(issue.input)} is not a string; use e.g. ${example}`,
  });
}

/** A mapping; `example` shows its YAML shape. */
export function section<T extends z.core.$ZodLooseShape>(shape: T, example: string) {
  return z.strictObject(shape, {
    error: (issue: RawIssue) =>
      issue.input === undefined
        ? required(example)
        : `${show(issue.input)} is not a mapping; write it as key: value pairs, e.g. ${example}`,
  });
}

/** A section that may be absent or empty (`server:` with every key commented out). */
export function optionalSection<T extends z.core.$ZodLooseShape>(shape: T, example: string) {
  return z.preprocess((value) => value ?? {}, section(shape, example));
}

/** The message for a key no schema knows, with the known key it was probably meant to be. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `unknown key "${key}"; did you mean "${suggestion}"?`;
  if (known.length === 0) return `unknown key "${key}"; remove it`;
  return `unknown key "${key}"; remove it (the keys here are ${known.join(', ')})`;
}
