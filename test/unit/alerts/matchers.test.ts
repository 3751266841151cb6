import { describe, expect, it } from 'vitest';

import { DriftwatchError } from '../../../src/errors.js';
import {
  MatcherError,
  compileMatcherRegex,
  formatMatcher,
  matches,
  matchesAll,
  parseMatcher,
  validateMatcher,
} from '../../../src/alerts/matchers.js';
import type { Matcher } from '../../../src/alerts/types.js';

const alert = { alertname: 'FeatureDrift', model: 'fraud', severity: 'critical' };

describe('matches: each operator', () => {
  it('= compares the whole value exactly', () => {
    expect(matches({ name: 'model', operator: '=', value: 'fraud' }, alert)).toBe(true);
    expect(matches({ name: 'model', operator: '=', value: 'fra' }, alert)).toBe(false);
    expect(matches({ name: 'model', operator: '=', value: 'Fraud' }, alert)).toBe(false);
  });

  it('!= is the negation of =', () => {
    expect(matches({ name: 'model', operator: '!=', value: 'fraud' }, alert)).toBe(false);
    expect(matches({ name: 'model', operator: '!=', value: 'churn' }, alert)).toBe(true);
  });

  it('=~ is anchored at both ends', () => {
    expect(matches({ name: 'model', operator: '=~', value: 'fraud' }, alert)).toBe(true);
    expect(matches({ name: 'model', operator: '=~', value: 'fra' }, alert)).toBe(false);
    expect(matches({ name: 'model', operator: '=~', value: 'raud' }, alert)).toBe(false);
    expect(matches({ name: 'model', operator: '=~', value: 'fr.*' }, alert)).toBe(true);
    expect(matches({ name: 'model', operator: '=~', value: 'churn|fraud' }, alert)).toBe(true);
    // An alternation stays inside the anchors: `churn|fr` must not match "fraud" by its prefix.
    expect(matches({ name: 'model', operator: '=~', value: 'churn|fr' }, alert)).toBe(false);
    expect(matches({ name: 'model', operator: '=~', value: 'churn|aud' }, { model: 'fraud' })).toBe(false);
  });

  it('!~ is the negation of =~, anchored too', () => {
    expect(matches({ name: 'model', operator: '!~', value: 'fra' }, alert)).toBe(true);
    expect(matches({ name: 'model', operator: '!~', value: 'fr.*' }, alert)).toBe(false);
  });

  it('reads a missing label as the empty string', () => {
    expect(matches({ name: 'team', operator: '=', value: '' }, alert)).toBe(true);
    expect(matches({ name: 'team', operator: '=', value: 'ml' }, alert)).toBe(false);
    expect(matches({ name: 'team', operator: '!=', value: 'ml' }, alert)).toBe(true);
    expect(matches({ name: 'team', operator: '!=', value: '' }, alert)).toBe(false);
    expect(matches({ name: 'team', operator: '=~', value: '.*' }, alert)).toBe(true);
    expect(matches({ name: 'team', operator: '=~', value: '.+' }, alert)).toBe(false);
    expect(matches({ name: 'team', operator: '!~', value: '.+' }, alert)).toBe(true);
    expect(matches({ name: 'team', operator: '!~', value: '' }, alert)).toBe(false);
  });

  it('takes a leading RE2 (?i) flag as case-insensitive matching', () => {
    expect(matches({ name: 'severity', operator: '=~', value: '(?i)CRITICAL' }, alert)).toBe(true);
    expect(matches({ name: 'severity', operator: '=~', value: 'CRITICAL' }, alert)).toBe(false);
  });

  it('accepts RE2-style escaped punctuation', () => {
    expect(matches({ name: 'model', operator: '=~', value: 'fraud\\-v2' }, { model: 'fraud-v2' })).toBe(true);
    expect(matches({ name: 'model', operator: '=~', value: 'fraud\\.v2' }, { model: 'fraudXv2' })).toBe(
      false,
    );
  });

  it('compiles a pattern once', () => {
    expect(compileMatcherRegex('ab+c')).toBe(compileMatcherRegex('ab+c'));
    expect(compileMatcherRegex('ab+c').source).toBe('^(?:ab+c)$');
  });
});

describe('matchesAll', () => {
  it('needs every matcher to match', () => {
    const both: Matcher[] = [
      { name: 'model', operator: '=', value: 'fraud' },
      { name: 'severity', operator: '=~', value: 'critical|warning' },
    ];
    expect(matchesAll(both, alert)).toBe(true);
    expect(matchesAll(both, { ...alert, severity: 'info' })).toBe(false);
    expect(matchesAll(both, { ...alert, model: 'churn' })).toBe(false);
  });

  it('matches everything with no matchers', () => {
    expect(matchesAll([], {})).toBe(true);
    expect(matchesAll([], alert)).toBe(true);
  });
});

describe('parseMatcher: good input', () => {
  it('reads each operator', () => {
    expect(parseMatcher('severity=critical')).toEqual({ name: 'severity', operator: '=', value: 'critical' });
    expect(parseMatcher('severity!=info')).toEqual({ name: 'severity', operator: '!=', value: 'info' });
    expect(parseMatcher('model=~fraud.*')).toEqual({ name: 'model', operator: '=~', value: 'fraud.*' });
    expect(parseMatcher('model!~test-.*')).toEqual({ name: 'model', operator: '!~', value: 'test-.*' });
  });

  it('reads quoted values as amtool does', () => {
    expect(parseMatcher('severity="critical"')).toEqual({
      name: 'severity',
      operator: '=',
      value: 'critical',
    });
    expect(parseMatcher('summary="a \\"quoted\\" word"')).toEqual({
      name: 'summary',
      operator: '=',
      value: 'a "quoted" word',
    });
    expect(parseMatcher('path="C:\\\\tmp"')).toEqual({ name: 'path', operator: '=', value: 'C:\\tmp' });
    expect(parseMatcher('text="two\\nlines"')).toEqual({ name: 'text', operator: '=', value: 'two\nlines' });
    // Any other escape is kept for the regular expression.
    expect(parseMatcher('model=~"fraud\\.v2"')).toEqual({
      name: 'model',
      operator: '=~',
      value: 'fraud\\.v2',
    });
    expect(parseMatcher('team=""')).toEqual({ name: 'team', operator: '=', value: '' });
  });

  it('allows spaces around the operator and keeps them inside quotes', () => {
    expect(parseMatcher('  team = "ml platform" ')).toEqual({
      name: 'team',
      operator: '=',
      value: 'ml platform',
    });
    expect(parseMatcher('team =~ ml.*')).toEqual({ name: 'team', operator: '=~', value: 'ml.*' });
  });

  it('splits at the first operator, so the value may hold =', () => {
    expect(parseMatcher('query=a=b')).toEqual({ name: 'query', operator: '=', value: 'a=b' });
    expect(parseMatcher('query!=a!=b')).toEqual({ name: 'query', operator: '!=', value: 'a!=b' });
  });

  it('round-trips through formatMatcher', () => {
    const tricky: Matcher[] = [
      { name: 'a', operator: '=', value: 'say "hi"\\\n' },
      { name: 'model', operator: '!~', value: 'fraud\\.v[0-9]+' },
      { name: 'team', operator: '!=', value: '' },
    ];
    for (const m of tricky) expect(parseMatcher(formatMatcher(m))).toEqual(m);
    expect(formatMatcher({ name: 'severity', operator: '=', value: 'critical' })).toBe('severity="critical"');
  });
});

describe('parseMatcher: bad input', () => {
  const hint = 'use name=value, name!=value, name=~regex or name!~regex, e.g. severity="critical"';
  const cases: [string, string][] = [
    ['', `invalid matcher '': empty; ${hint}`],
    ['   ', `invalid matcher '   ': empty; ${hint}`],
    ['severity', `invalid matcher 'severity': no operator; ${hint}`],
    ['severity~critical', `invalid matcher 'severity~critical': no operator; ${hint}`],
    ['=critical', `invalid matcher '=critical': no label name before the operator; ${hint}`],
    [
      '1st=x',
      `invalid matcher '1st=x': "1st" is not a label name; use letters, digits and underscores, not starting with a digit`,
    ],
    [
      'model name=fraud',
      `invalid matcher 'model name=fraud': "model name" is not a label name; use letters, digits and underscores, not starting with a digit`,
    ],
    [
      'severity="critical',
      `invalid matcher 'severity="critical': unescaped or unterminated double quote in the value; end a quoted value with " and write a quote inside it as \\"`,
    ],
    [
      'severity="crit"ical"',
      `invalid matcher 'severity="crit"ical"': unescaped or unterminated double quote in the value; end a quoted value with " and write a quote inside it as \\"`,
    ],
    [
      'model=~"(fraud"',
      `invalid matcher 'model=~"(fraud"': "(fraud" is not a valid regular expression (Unterminated group); fix the pattern, or use = or != to compare the text exactly`,
    ],
    [
      'model!~*',
      `invalid matcher 'model!~*': "*" is not a valid regular expression (Nothing to repeat); fix the pattern, or use = or != to compare the text exactly`,
    ],
    // Compiles only once wrapped in ^(?:...)$, where it would match far more than meant.
    [
      'model=~"a)|(b"',
      `invalid matcher 'model=~"a)|(b"': "a)|(b" is not a valid regular expression (Unmatched ')'); fix the pattern, or use = or != to compare the text exactly`,
    ],
  ];
  for (const [text, message] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(() => parseMatcher(text)).toThrow(message);
      try {
        parseMatcher(text);
      } catch (error) {
        expect(error).toBeInstanceOf(MatcherError);
        expect(error).toBeInstanceOf(DriftwatchError);
        expect((error as MatcherError).code).toBe('DW_USAGE');
        expect((error as Error).message).toBe(message);
      }
    });
  }

  it('does not read an invalid pattern as a regex elsewhere', () => {
    expect(() => matches({ name: 'model', operator: '=~', value: '(' }, alert)).toThrow(MatcherError);
  });
});

describe('validateMatcher', () => {
  it('accepts a good matcher', () => {
    expect(() => validateMatcher({ name: 'model', operator: '=~', value: 'fraud|churn' })).not.toThrow();
  });

  it('names the matcher and the problem', () => {
    expect(() => validateMatcher({ name: 'model', operator: '=~', value: '[' })).toThrow(
      'matcher model=~"[": "[" is not a valid regular expression (Unterminated character class); fix the pattern, or use = or != to compare the text exactly',
    );
    expect(() => validateMatcher({ name: 'my-label', operator: '=', value: 'x' })).toThrow(
      '"my-label" is not a label name; use letters, digits and underscores, not starting with a digit',
    );
  });
});
