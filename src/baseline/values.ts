/**
 * How one raw value of a training file is read (docs/baselines.md, "Type inference"): what kind
 * of value it is, and what it becomes once the column's type is known. Pure.
 */

/** The null tokens of CSV: a field equal to one of these (or empty) is a null, not a value. */
export const CSV_NULL_TOKENS: readonly string[] = ['NA', 'N/A', 'null', 'NULL', 'None', 'NaN', 'nan'];

const NULL_TOKENS = new Set(CSV_NULL_TOKENS);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:inf|infinity)$/i;
const BOOLEAN = /^(?:true|false)$/i;

/**
 * The kind of a raw value, which type inference counts per column.
 * - 'null': missing key, JSON null, or a CSV empty field / null token;
 * - 'boolean': a JSON boolean, or a CSV `true`/`false` (any case);
 * - 'number': a finite JSON number, or a CSV field that parses as a finite decimal;
 * - 'nonfinite': a JSON NaN/±Infinity (Python's tokens), a CSV `inf`/`Infinity`: numeric, not valid;
 * - 'string': any other string;
 * - 'other': a JSON object or array.
 */
export type ValueKind = 'null' | 'boolean' | 'number' | 'nonfinite' | 'string' | 'other';

/** A classified value: its kind, its number (for 'number'), its text as a category, its boolean. */
export interface ClassifiedValue {
  readonly kind: ValueKind;
  /** The finite number of a 'number' (-0 turned into 0, which no statistic tells apart); else NaN. */
  readonly num: number;
  /** The value as a category: a string as is, a number or boolean by String(x), CSV text as written. */
  readonly text: string;
  /** For 'boolean' values: true or false. */
  readonly bool: boolean;
  /** CSV text that reads as a boolean is also a plain string for categorical inference. */
  readonly alsoString: boolean;
}

const NULL: ClassifiedValue = { kind: 'null', num: NaN, text: '', bool: false, alsoString: false };

/**
 * Classifies one CSV field (always a string). Called by the builder for every field of every
 * row. Leading and trailing spaces are ignored for numbers, booleans and null tokens.
 */
export function classifyCsv(field: string): ClassifiedValue {
  const t = field.trim();
  if (t === '' || NULL_TOKENS.has(t)) return NULL;
  if (DECIMAL.test(t)) {
    const num = Number(t) + 0;
    if (Number.isFinite(num)) return { kind: 'number', num, text: field, bool: false, alsoString: false };
    return { kind: 'nonfinite', num: NaN, text: field, bool: false, alsoString: false };
  }
  if (NON_FINITE.test(t)) return { kind: 'nonfinite', num: NaN, text: field, bool: false, alsoString: false };
  if (BOOLEAN.test(t)) {
    return { kind: 'boolean', num: NaN, text: field, bool: t.toLowerCase() === 'true', alsoString: true };
  }
  return { kind: 'string', num: NaN, text: field, bool: false, alsoString: false };
}

/** Classifies one value of a JSON line (`undefined` is a missing key). Called per value. */
export function classifyJson(value: unknown): ClassifiedValue {
  if (value === null || value === undefined) return NULL;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value)
        ? { kind: 'number', num: value + 0, text: String(value), bool: false, alsoString: false }
        : { kind: 'nonfinite', num: NaN, text: String(value), bool: false, alsoString: false };
    case 'boolean':
      return { kind: 'boolean', num: NaN, text: String(value), bool: value, alsoString: false };
    case 'string':
      return { kind: 'string', num: NaN, text: value, bool: false, alsoString: false };
    default:
      return { kind: 'other', num: NaN, text: '', bool: false, alsoString: false };
  }
}

/** A short rendering of a raw value for messages: quoted, cut to 40 characters. */
export function describeValue(v: ClassifiedValue): string {
  if (v.kind === 'other') return 'an object or array';
  const s = JSON.stringify(v.text.length > 40 ? `${v.text.slice(0, 40)}…` : v.text);
  return v.kind === 'string' || v.kind === 'boolean' ? s : v.text;
}
