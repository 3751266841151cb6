import { describe, expect, it } from 'vitest';

import { interpolateString, retypePlainScalar } from '../../../src/config/interpolate.js';
import { parseConfig } from '../../../src/config/load.js';
import { MINIMAL, problemsOf } from './helpers.js';

describe('interpolateString', () => {
  it('replaces a set variable', () => {
    expect(interpolateString('kafka-${N}:9092', { N: '1' })).toEqual({
      value: 'kafka-1:9092',
      substituted: true,
      problems: [],
    });
  });

  it('uses the default when the variable is unset or empty', () => {
    expect(interpolateString('${X:-a:b}', {}).value).toBe('a:b');
    expect(interpolateString('${X:-a:b}', { X: '' }).value).toBe('a:b');
    expect(interpolateString('${X:-}', {}).value).toBe('');
    expect(interpolateString('${X:-fallback}', { X: 'set' }).value).toBe('set');
  });

  it('reports an unset variable without a default, with the fix', () => {
    expect(interpolateString('${MISSING}', {})).toEqual({
      value: '',
      substituted: true,
      problems: ['environment variable MISSING is not set; set it, or give a default: ${MISSING:-default}'],
    });
  });

  it('keeps a set-but-empty variable without a default as empty', () => {
    expect(interpolateString('a${E}b', { E: '' })).toEqual({ value: 'ab', substituted: true, problems: [] });
  });

  it('turns $${ into a literal ${ and does not substitute it', () => {
    expect(interpolateString('$${HOME} costs $5', { HOME: '/root' })).toEqual({
      value: '${HOME} costs $5',
      substituted: false,
      problems: [],
    });
  });

  it('reports malformed references', () => {
    expect(interpolateString('${1BAD}', {}).problems).toEqual([
      '"${1BAD}" is not a valid variable reference; use ${NAME} or ${NAME:-default}, or $${ for a literal "${"',
    ]);
    expect(interpolateString('x${OPEN', {}).problems).toEqual([
      '"x${OPEN" has a "${" without a closing "}"; use ${NAME} or ${NAME:-default}, or $${ for a literal "${"',
    ]);
  });
});

describe('retypePlainScalar', () => {
  it('reads what YAML would read in an unquoted value', () => {
    expect(retypePlainScalar('9874')).toBe(9874);
    expect(retypePlainScalar('-1.5e3')).toBe(-1500);
    expect(retypePlainScalar('true')).toBe(true);
    expect(retypePlainScalar('FALSE')).toBe(false);
    expect(retypePlainScalar('')).toBeNull();
    expect(retypePlainScalar('null')).toBeNull();
    expect(retypePlainScalar('127.0.0.1:9092')).toBe('127.0.0.1:9092');
    expect(retypePlainScalar('1.2.3')).toBe('1.2.3');
  });
});

describe('interpolation in a config file', () => {
  const yaml = [
    'kafka:',
    '  brokers: ${BROKERS:-127.0.0.1:9092}',
    '  client_id: "${CLIENT_ID}"',
    '  dlq_topic: ${DLQ_TOPIC:-}',
    '  from_beginning: ${FROM_BEGINNING:-false}',
    'server:',
    '  port: ${PORT:-9874}',
    '  host: "${HOST:-127.0.0.1}"',
    'models:',
    '  - name: model-${ENVIRONMENT}',
    '    owner: "$${not-a-variable}"',
  ].join('\n');

  it('uses set variables, typed like YAML in unquoted values', () => {
    const config = parseConfig(yaml, 'a.yaml', {
      BROKERS: 'k1:9092,k2:9092',
      CLIENT_ID: 'dw-1',
      DLQ_TOPIC: 'dead',
      FROM_BEGINNING: 'true',
      PORT: '9000',
      HOST: '::',
      ENVIRONMENT: 'prod',
    });
    expect(config.kafka?.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.kafka?.clientId).toBe('dw-1');
    expect(config.kafka?.dlqTopic).toBe('dead');
    expect(config.kafka?.fromBeginning).toBe(true);
    expect(config.server).toEqual({ host: '::', port: 9000 });
    expect(config.models[0]?.name).toBe('model-prod');
    expect(config.models[0]?.owner).toBe('${not-a-variable}');
  });

  it('uses the defaults of unset variables (an empty unquoted default is null)', () => {
    const config = parseConfig(yaml, 'a.yaml', { CLIENT_ID: 'dw', ENVIRONMENT: 'dev' });
    expect(config.kafka?.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka?.dlqTopic).toBeNull();
    expect(config.kafka?.fromBeginning).toBe(false);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9874 });
  });

  it('keeps a quoted value a string', () => {
    expect(problemsOf(`${MINIMAL}server:\n  port: "\${PORT}"\n`, { PORT: '9000' })).toEqual([
      { path: 'server.port', message: '"9000" is a string, not a number; remove the quotes: 9000' },
    ]);
  });

  it('reports each unset variable without a default by YAML path, and nothing else about those values', () => {
    expect(problemsOf(yaml, {})).toEqual([
      {
        path: 'kafka.client_id',
        message:
          'environment variable CLIENT_ID is not set; set it, or give a default: ${CLIENT_ID:-default}',
      },
      {
        path: 'models[0].name',
        message:
          'environment variable ENVIRONMENT is not set; set it, or give a default: ${ENVIRONMENT:-default}',
      },
    ]);
  });

  it('interpolates inside lists, and leaves keys and comments alone', () => {
    const config = parseConfig(
      'kafka:\n  # ${NOT_READ}\n  brokers:\n    - "${B1}"\n    - ${B2:-b:2}\n' + MINIMAL,
      'a.yaml',
      { B1: 'a:1' },
    );
    expect(config.kafka?.brokers).toEqual(['a:1', 'b:2']);
    expect(problemsOf('${KEY}: 1\n' + MINIMAL, { KEY: 'server' })).toEqual([
      {
        path: '["${KEY}"]',
        message:
          'unknown key "${KEY}"; remove it (the keys here are kafka, models, server, limits, state, logging, influx, alerts)',
      },
    ]);
  });

  it('names a list item by index when its variable is unset', () => {
    expect(problemsOf(`kafka:\n  brokers: [a:1, "\${B}"]\n${MINIMAL}`)).toEqual([
      {
        path: 'kafka.brokers[1]',
        message: 'environment variable B is not set; set it, or give a default: ${B:-default}',
      },
    ]);
  });
});
