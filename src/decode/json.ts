/**
 * JSON parsing that also accepts the bare `NaN`, `Infinity` and `-Infinity` tokens that
 * Python's `json.dumps` writes by default. Producers written in Python send them whenever a
 * feature is missing or broken; rejecting the whole event would lose every other field, while
 * the per-feature data-quality checks are exactly where a NaN should be counted.
 *
 * The strict `JSON.parse` runs first; the tolerant path costs only for records that fail it.
 */

const SENTINEL_PREFIX = '\u0000dw-nonfinite:';
const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!text.includes('NaN') && !text.includes('Infinity')) throw error;
    const rewritten = replaceNonFiniteTokens(text);
    if (rewritten === null) throw error;
    return JSON.parse(rewritten, reviveNonFinite);
  }
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(SENTINEL_PREFIX)) {
    return NON_FINITE[value.slice(SENTINEL_PREFIX.length)];
  }
  return value;
}

/**
 * Replaces NaN / Infinity / -Infinity tokens that stand outside string literals by sentinel
 * strings; returns null when there is none (the text is simply not JSON).
 */
function replaceNonFiniteTokens(text: string): string | null {
  let out = '';
  let last = 0;
  let inString = false;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const token =
      c === 0x4e /* N */ ? 'NaN' : c === 0x49 /* I */ ? 'Infinity' : c === 0x2d /* - */ ? '-Infinity' : null;
    if (token !== null && text.startsWith(token, i) && !isIdentChar(text.charCodeAt(i + token.length))) {
      out += text.slice(last, i) + JSON.stringify(SENTINEL_PREFIX + token);
      i += token.length - 1;
      last = i + 1;
      found = true;
    }
  }
  return found ? out + text.slice(last) : null;
}

function isIdentChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}
