import { describe, expect, it } from 'vitest';

import {
  brokerProblem,
  formatPath,
  parseDuration,
  parseSize,
  show,
  suggestKey,
} from '../../../src/config/values.js';

describe('parseDuration', () => {
  it('reads every unit and sums of them, in milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1m500ms')).toBe(60_500);
    expect(parseDuration('1.5s')).toBe(1500);
  });

  it('refuses anything else', () => {
    for (const text of ['', '10', '10 s', '10sec', '10 minutes', 's', '-1s', '1S', '1h 30m', '1e3ms']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });
});

describe('parseSize', () => {
  it('reads binary and decimal units, in bytes', () => {
    expect(parseSize('100B')).toBe(100);
    expect(parseSize('512KiB')).toBe(524_288);
    expect(parseSize('1MiB')).toBe(1_048_576);
    expect(parseSize('1 MiB')).toBe(1_048_576);
    expect(parseSize('2GiB')).toBe(2_147_483_648);
    expect(parseSize('1KB')).toBe(1000);
    expect(parseSize('2MB')).toBe(2_000_000);
    expect(parseSize('1GB')).toBe(1_000_000_000);
    expect(parseSize('1.5KiB')).toBe(1536);
  });

  it('refuses anything else', () => {
    for (const text of ['', '1024', '1mb', '1mib', '1 M', 'MiB', '-1MiB', '1TiB']) {
      expect(parseSize(text), text).toBeUndefined();
    }
  });
});

describe('brokerProblem', () => {
  it('accepts host:port, with names, IPv4 and bracketed IPv6', () => {
    for (const broker of [
      'localhost:9092',
      'kafka-1.example.com:9093',
      '10.0.0.1:1',
      'kafka_1:65535',
      '[::1]:9092',
    ]) {
      expect(brokerProblem(broker), broker).toBeUndefined();
    }
  });

  it('explains what is wrong and gives an address to copy', () => {
    expect(brokerProblem('localhost')).toBe('"localhost" has no port; use host:port, e.g. localhost:9092');
    expect(brokerProblem('localhost:')).toBe('"localhost:" has no port; use host:port, e.g. localhost:9092');
    expect(brokerProblem('k:0')).toBe(
      '"k:0": port 0 is out of range; use a port from 1 to 65535, e.g. k:9092',
    );
    expect(brokerProblem('PLAINTEXT://k:9092')).toBe(
      '"PLAINTEXT://k:9092" has a scheme; drop "PLAINTEXT://": k:9092',
    );
    expect(brokerProblem('[zz]:9092')).toBe(
      '"[zz]:9092" has an invalid IPv6 address "zz"; use e.g. [::1]:9092',
    );
    expect(brokerProblem('-k:9092')).toBe(
      '"-k:9092" has an invalid host "-k"; use host:port, e.g. kafka-1:9092',
    );
  });
});

describe('suggestKey', () => {
  const known = ['brokers', 'client_id', 'group_id', 'topics', 'from_beginning', 'dlq_topic'];

  it('finds the same key in another style', () => {
    expect(suggestKey('clientId', known)).toBe('client_id');
    expect(suggestKey('GROUP-ID', known)).toBe('group_id');
    expect(suggestKey('dlqTopic', known)).toBe('dlq_topic');
  });

  it('finds small typos, a transposition counting as one edit', () => {
    expect(suggestKey('broker', known)).toBe('brokers');
    expect(suggestKey('topcis', known)).toBe('topics');
    expect(suggestKey('from_begining', known)).toBe('from_beginning');
  });

  it('suggests nothing when no key is close', () => {
    expect(suggestKey('password', known)).toBeUndefined();
    expect(suggestKey('tls', known)).toBeUndefined();
    expect(suggestKey('x', known)).toBeUndefined();
  });
});

describe('formatPath and show', () => {
  it('writes paths as users read them', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['kafka', 'brokers', 0])).toBe('kafka.brokers[0]');
    expect(formatPath(['models', 2, 'name'])).toBe('models[2].name');
    expect(formatPath(['server', 'a key'])).toBe('server["a key"]');
  });

  it('names values as users wrote them', () => {
    expect(show('10 minutes')).toBe('"10 minutes"');
    expect(show(42)).toBe('42');
    expect(show(false)).toBe('false');
    expect(show(null)).toBe('null');
    expect(show([1])).toBe('a list');
    expect(show({ a: 1 })).toBe('a mapping');
  });
});
