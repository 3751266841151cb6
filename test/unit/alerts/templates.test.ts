import { describe, expect, it } from 'vitest';

import {
  formatValue,
  renderAnnotations,
  renderTemplate,
  templateProblems,
} from '../../../src/alerts/templates.js';
import type { TemplateData } from '../../../src/alerts/templates.js';
import type { AlertRule } from '../../../src/alerts/types.js';

const FEATURE_ALERT: TemplateData = {
  labels: {
    alertname: 'psi_high',
    model: 'fraud-scorer',
    source: 'predictions',
    feature: 'amount',
    severity: 'critical',
    team: 'fraud',
  },
  value: 0.312345,
  threshold: 0.2,
  signal: 'feature_psi',
};

describe('formatValue', () => {
  it('prints 4 significant digits without trailing zeros', () => {
    expect(formatValue(0.312345)).toBe('0.3123');
    expect(formatValue(0.31235)).toBe('0.3124');
    expect(formatValue(0.2)).toBe('0.2');
    expect(formatValue(12.5)).toBe('12.5');
    expect(formatValue(1)).toBe('1');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0)).toBe('0');
    expect(formatValue(-0.0456789)).toBe('-0.04568');
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(0.0012345)).toBe('0.001234');
    expect(formatValue(86400)).toBe('86400');
    expect(formatValue(123456)).toBe('123500');
  });

  it('is scientific below 1e-3', () => {
    expect(formatValue(0.000999)).toBe('9.99e-4');
    expect(formatValue(1.23456e-7)).toBe('1.235e-7');
    expect(formatValue(1e-10)).toBe('1e-10');
    expect(formatValue(-2.5e-5)).toBe('-2.5e-5');
    expect(formatValue(5e-324)).toBe('4.941e-324');
  });

  it('prints NaN and infinities as Prometheus does', () => {
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });
});

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(
      renderTemplate(
        '{{signal}} of {{feature}} ({{source}}) on {{model}} is {{value}} > {{threshold}}; team {{labels.team}}, {{labels.severity}}',
        FEATURE_ALERT,
      ),
    ).toBe('feature_psi of amount (predictions) on fraud-scorer is 0.3123 > 0.2; team fraud, critical');
  });

  it('allows spaces inside the braces and repeated placeholders', () => {
    expect(renderTemplate('{{ model }}/{{model}}/{{  value}}', FEATURE_ALERT)).toBe(
      'fraud-scorer/fraud-scorer/0.3123',
    );
  });

  it('prints the threshold as written and the value rounded', () => {
    expect(
      renderTemplate('{{value}} < {{threshold}}', {
        ...FEATURE_ALERT,
        value: 1.234e-9,
        threshold: 0.00012345,
      }),
    ).toBe('1.234e-9 < 0.00012345');
  });

  it('renders a label the alert lacks as empty, and leaves unknown placeholders as written', () => {
    const modelAlert: TemplateData = {
      labels: { alertname: 'errors', model: 'churn', severity: 'warning' },
      value: 0.05,
      threshold: 0.01,
      signal: 'error_rate',
    };
    expect(renderTemplate('[{{feature}}][{{labels.team}}] {{model}}', modelAlert)).toBe('[][] churn');
    expect(renderTemplate('{{modle}} {{ $value }} {{labels.}} {{labels.a-b}} {{model', modelAlert)).toBe(
      '{{modle}} {{ $value }} {{labels.}} {{labels.a-b}} {{model',
    );
  });

  it('does not expand placeholders that appear in values', () => {
    expect(renderTemplate('{{model}}', { ...FEATURE_ALERT, labels: { model: '{{value}}' } })).toBe(
      '{{value}}',
    );
  });
});

describe('renderAnnotations', () => {
  it("renders the rule's summary and description for an alert", () => {
    const rule: AlertRule = {
      name: 'latency',
      signal: 'latency_p99_seconds',
      comparison: '>',
      threshold: 0.5,
      models: ['*'],
      features: ['*'],
      forMs: 0,
      resolveHysteresis: 0,
      severity: 'warning',
      labels: {},
      summary: '{{model}}: p99 latency {{value}}s',
      description: '{{signal}} above {{threshold}}s',
      runbookUrl: null,
    };
    expect(renderAnnotations(rule, { labels: { model: 'churn' }, value: 0.73219 })).toEqual({
      summary: 'churn: p99 latency 0.7322s',
      description: 'latency_p99_seconds above 0.5s',
    });
  });
});

describe('templateProblems', () => {
  it('finds nothing in a good template', () => {
    expect(
      templateProblems(
        '{{ model }} {{feature}} {{source}} {{value}} {{threshold}} {{signal}} {{labels.team_1}}',
      ),
    ).toEqual([]);
    expect(templateProblems('no placeholders, a lone } and {single} braces')).toEqual([]);
  });

  it('names unknown placeholders, with the spelling meant when it is a known slip', () => {
    expect(
      templateProblems('{{modle}} and {{ $value }} and {{$labels.Team}} and {{.Value}} and {{Model}}'),
    ).toEqual([
      '{{modle}} is not a placeholder; use {{model}}, {{feature}}, {{source}}, {{value}}, {{threshold}}, {{signal}} or {{labels.NAME}}',
      '{{ $value }} is not a placeholder; write {{value}}',
      '{{$labels.Team}} is not a placeholder; write {{labels.Team}}',
      '{{.Value}} is not a placeholder; write {{value}}',
      '{{Model}} is not a placeholder; write {{model}}',
    ]);
    expect(templateProblems('{{labels.a-b}}')).toEqual([
      '{{labels.a-b}} is not a placeholder; use {{model}}, {{feature}}, {{source}}, {{value}}, {{threshold}}, {{signal}} or {{labels.NAME}}',
    ]);
  });

  it('finds an unclosed {{, quoting the template where it is', () => {
    expect(templateProblems('{{feature of {{model}}')).toEqual([
      '"{{feature of {{model...": {{ without a closing }}; close it, e.g. {{model}}, or remove the braces',
    ]);
    expect(templateProblems('PSI of {{model} is high')).toEqual([
      '"{{model} is high": {{ without a closing }}; close it, e.g. {{model}}, or remove the braces',
    ]);
    expect(templateProblems('{{model}} then {{feature and more text after it')).toEqual([
      '"{{feature and more t...": {{ without a closing }}; close it, e.g. {{model}}, or remove the braces',
    ]);
  });

  it('given the signal, finds labels its alerts never carry', () => {
    expect(templateProblems('{{feature}} {{source}} {{model}}', 'error_rate')).toEqual([
      '{{feature}} is always empty: error_rate alerts have no feature label (they carry model)',
      '{{source}} is always empty: error_rate alerts have no source label (they carry model)',
    ]);
    expect(templateProblems('{{labels.feature}} {{source}}', 'model_drift_share')).toEqual([
      '{{labels.feature}} is always empty: model_drift_share alerts have no feature label (they carry model, source)',
    ]);
    expect(templateProblems('{{feature}} {{source}}', 'feature_drift')).toEqual([]);
  });
});
