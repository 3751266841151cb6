import { describe, expect, it } from 'vitest';

import { isInhibited } from '../../../src/alerts/inhibit.js';
import { parseMatcher } from '../../../src/alerts/matchers.js';
import type { InhibitRule } from '../../../src/alerts/types.js';

/** The rule of PRODUCT.md §6: a critical alert mutes its warning twin. */
const criticalMutesWarning: InhibitRule = {
  sourceMatchers: [parseMatcher('severity="critical"')],
  targetMatchers: [parseMatcher('severity="warning"')],
  equal: ['alertname', 'model'],
};

const criticalFraud = { alertname: 'FeatureDrift', model: 'fraud', severity: 'critical', feature: 'amount' };
const warningFraud = { alertname: 'FeatureDrift', model: 'fraud', severity: 'warning', feature: 'country' };

describe('isInhibited', () => {
  it('mutes the warning twin of a firing critical alert', () => {
    expect(isInhibited(warningFraud, [criticalFraud], [criticalMutesWarning])).toBe(true);
  });

  it('does not mute the same alert of another model', () => {
    expect(isInhibited({ ...warningFraud, model: 'churn' }, [criticalFraud], [criticalMutesWarning])).toBe(
      false,
    );
  });

  it('does not mute another alert of the same model', () => {
    expect(
      isInhibited({ ...warningFraud, alertname: 'ErrorRate' }, [criticalFraud], [criticalMutesWarning]),
    ).toBe(false);
  });

  it('needs a firing source', () => {
    expect(isInhibited(warningFraud, [], [criticalMutesWarning])).toBe(false);
    expect(isInhibited(warningFraud, [{ ...criticalFraud, severity: 'info' }], [criticalMutesWarning])).toBe(
      false,
    );
  });

  it('does not mute what the target matchers do not select', () => {
    expect(isInhibited({ ...warningFraud, severity: 'info' }, [criticalFraud], [criticalMutesWarning])).toBe(
      false,
    );
    // The critical alert itself is not a target.
    expect(isInhibited(criticalFraud, [criticalFraud, warningFraud], [criticalMutesWarning])).toBe(false);
  });

  it('counts a label missing on both sides as equal', () => {
    const modelLevel = { ...criticalMutesWarning, equal: ['alertname', 'model', 'feature'] };
    const source = { alertname: 'ErrorRate', model: 'fraud', severity: 'critical' };
    const target = { alertname: 'ErrorRate', model: 'fraud', severity: 'warning' };
    expect(isInhibited(target, [source], [modelLevel])).toBe(true);
    // Missing on one side only is a different value.
    expect(isInhibited({ ...target, feature: 'amount' }, [source], [modelLevel])).toBe(false);
    expect(isInhibited(target, [{ ...source, feature: 'amount' }], [modelLevel])).toBe(false);
    // An empty value is the same as a missing one.
    expect(isInhibited({ ...target, feature: '' }, [source], [modelLevel])).toBe(true);
  });

  it('with no equal labels, mutes every target while any source fires', () => {
    const global = { ...criticalMutesWarning, equal: [] };
    expect(isInhibited({ ...warningFraud, model: 'churn' }, [criticalFraud], [global])).toBe(true);
  });

  it('tries every rule and every firing alert', () => {
    const staleMutesDrift: InhibitRule = {
      sourceMatchers: [parseMatcher('alertname="NoEvents"')],
      targetMatchers: [parseMatcher('alertname=~"FeatureDrift|ErrorRate"')],
      equal: ['model'],
    };
    const stale = { alertname: 'NoEvents', model: 'churn', severity: 'warning' };
    const churnWarning = { ...warningFraud, model: 'churn' };
    expect(isInhibited(churnWarning, [criticalFraud, stale], [criticalMutesWarning, staleMutesDrift])).toBe(
      true,
    );
    expect(isInhibited(churnWarning, [criticalFraud, stale], [criticalMutesWarning])).toBe(false);
  });

  it('never lets an alert mute itself', () => {
    const warningsMuteWarnings: InhibitRule = {
      sourceMatchers: [parseMatcher('severity="warning"')],
      targetMatchers: [parseMatcher('alertname="FeatureDrift"')],
      equal: ['model'],
    };
    const other = { alertname: 'ErrorRate', model: 'fraud', severity: 'warning' };
    expect(isInhibited(warningFraud, [warningFraud], [warningsMuteWarnings])).toBe(false);
    expect(isInhibited(warningFraud, [warningFraud, other], [warningsMuteWarnings])).toBe(true);
  });

  it('ignores sources on both sides of an overlapping rule, as Alertmanager', () => {
    // Every drift alert mutes every other drift alert of its model: without the rule, two of
    // them would silence each other and nobody would hear of either.
    const overlapping: InhibitRule = {
      sourceMatchers: [parseMatcher('alertname="FeatureDrift"')],
      targetMatchers: [parseMatcher('alertname="FeatureDrift"')],
      equal: ['model'],
    };
    expect(isInhibited(warningFraud, [criticalFraud], [overlapping])).toBe(false);
    expect(isInhibited(criticalFraud, [warningFraud], [overlapping])).toBe(false);
  });
});
