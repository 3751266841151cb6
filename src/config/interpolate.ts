/**
 * `${VAR}` and `${VAR:-default}` in the string values of a parsed YAML document, replaced
 * from the environment before validation; `$${` is a literal `${`. Only values are
 * interpolated, never keys or comments. Working on the parsed document (not the raw
 * text) keeps YAML structure out of reach of a variable's value and lets a problem name
 * its YAML path. Called by load.ts only.
 */

import { isPair, isScalar, isSeq, visit, type Document } from 'yaml';

import type { ConfigProblem } from '../errors.js';
import { formatPath } from './values.js';

/** The environment variables interpolation reads (`process.env` in production). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface StringInterpolation {
  readonly value: string;
  /** True when at least one `${...}` reference was replaced (escapes do not count). */
  readonly substituted: boolean;
  /** What is wrong with the references, each message with its fix. */
  readonly problems: readonly string[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const SYNTAX = 'use ${NAME} or ${NAME:-default}, or $${ for a literal "${"';

/**
 * Interpolates one string. A variable that is set but empty takes the default, as in
 * the shell's `${VAR:-default}`. An unset variable without a default becomes a problem
 * (and the empty string, so that the caller can go on collecting problems).
 */
export function interpolateString(text: string, env: Env): StringInterpolation {
  const problems: string[] = [];
  let substituted = false;
  const value = text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      problems.push(`"${text}" has a "\${" without a closing "}"; ${SYNTAX}`);
      return match;
    }
    const reference = REFERENCE_BODY.exec(body);
    if (reference === null) {
      problems.push(`"${match}" is not a valid variable reference; ${SYNTAX}`);
      return match;
    }
    const name = reference[1] ?? '';
    const fallback = reference[2];
    const fromEnv = env[name];
    substituted = true;
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    if (fallback !== undefined) return fallback;
    if (fromEnv === '') return '';
    problems.push(`environment variable ${name} is not set; set it, or give a default: \${${name}:-default}`);
    return '';
  });
  return { value, substituted, problems };
}

/**
 * What an unquoted value becomes after interpolation, as YAML 1.2 would have read it:
 * `port: ${PORT:-9874}` is a number, `dlq_topic: ${DLQ:-}` is null. Quote the value
 * to keep a string.
 */
export function retypePlainScalar(text: string): string | number | boolean | null {
  if (/^(?:|~|null|Null|NULL)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(?:\d+|\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

export interface DocumentInterpolation {
  readonly problems: readonly ConfigProblem[];
  /** The YAML paths (`kafka.sasl.password`) of the values that took a variable's value. */
  readonly interpolated: ReadonlySet<string>;
}

/** Interpolates every string value of `doc` in place. */
export function interpolateDocument(doc: Document, env: Env): DocumentInterpolation {
  const problems: ConfigProblem[] = [];
  const interpolated = new Set<string>();
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const chain = [...ancestors, node];
      const segments: (string | number)[] = [];
      chain.forEach((item, index) => {
        if (isPair(item)) segments.push(String(isScalar(item.key) ? item.key.value : item.key));
        else if (isSeq(item)) segments.push(item.items.indexOf(chain[index + 1] as never));
      });
      const path = formatPath(segments);
      const result = interpolateString(node.value, env);
      for (const message of result.problems) problems.push({ path, message });
      if (!result.substituted) {
        node.value = result.value;
        return;
      }
      interpolated.add(path);
      node.value = node.type === 'PLAIN' ? retypePlainScalar(result.value) : result.value;
    },
  });
  return { problems, interpolated };
}
