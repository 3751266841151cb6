import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config/load.js';
import { MINIMAL, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----';

function sasl(lines: string): string {
  return `kafka:\n  brokers: [a:9092]\n  sasl:\n    mechanism: plain\n    username: dw\n${lines}${MINIMAL}`;
}

describe('password_file', () => {
  it('reads the password and removes one trailing newline', () => {
    const path = file('password', 'p4ss word \n');
    const config = parseConfig(sasl(`    password_file: ${path}\n`), 'a.yaml', {});
    expect(config.kafka?.sasl).toEqual({ mechanism: 'plain', username: 'dw', password: 'p4ss word ' });
  });

  it('removes a Windows line ending, and only one newline', () => {
    expect(
      parseConfig(sasl(`    password_file: ${file('crlf', 'x\r\n')}\n`), 'a.yaml', {}).kafka?.sasl?.password,
    ).toBe('x');
    expect(
      parseConfig(sasl(`    password_file: ${file('two', 'y\n\n')}\n`), 'a.yaml', {}).kafka?.sasl?.password,
    ).toBe('y\n');
  });

  it('takes its path from the environment too', () => {
    const path = file('from-env', 'secret\n');
    const config = parseConfig(sasl('    password_file: ${PASSWORD_FILE}\n'), 'a.yaml', {
      PASSWORD_FILE: path,
    });
    expect(config.kafka?.sasl?.password).toBe('secret');
  });

  it('reports a missing file by the key that names it', () => {
    const path = join(dir, 'does-not-exist');
    expect(problemsOf(sasl(`    password_file: ${path}\n`))).toEqual([
      {
        path: 'kafka.sasl.password_file',
        message: `cannot read "${path}": no such file (ENOENT); check the path (relative paths start from the working directory) or mount the secret there`,
      },
    ]);
  });

  it('reports a directory and an empty file', () => {
    const directory = join(dir, 'a-directory');
    mkdirSync(directory);
    expect(problemsOf(sasl(`    password_file: ${directory}\n`))).toEqual([
      {
        path: 'kafka.sasl.password_file',
        message: `cannot read "${directory}": it is a directory (EISDIR); check the path (relative paths start from the working directory) or mount the secret there`,
      },
    ]);
    const empty = file('empty', '\n');
    expect(problemsOf(sasl(`    password_file: ${empty}\n`))).toEqual([
      { path: 'kafka.sasl.password_file', message: `"${empty}" is empty; write the password into it` },
    ]);
  });

  it('is an error together with password', () => {
    const path = file('both', 'x');
    expect(problemsOf(sasl(`    password: \${PW}\n    password_file: ${path}\n`), { PW: 'x' })).toEqual([
      {
        path: 'kafka.sasl.password_file',
        message: 'is set together with password; keep only one of them (password_file for a mounted secret)',
      },
    ]);
  });

  it('or password is required', () => {
    expect(problemsOf(sasl(''))).toEqual([
      {
        path: 'kafka.sasl',
        message:
          'has no password; add password_file: /run/secrets/kafka-password, or password: ${KAFKA_PASSWORD} to take it from the environment',
      },
    ]);
  });
});

describe('password', () => {
  it('comes from the environment', () => {
    const config = parseConfig(sasl('    password: ${KAFKA_PASSWORD}\n'), 'a.yaml', {
      KAFKA_PASSWORD: 'from-env',
    });
    expect(config.kafka?.sasl?.password).toBe('from-env');
  });

  it('is refused when written in the file', () => {
    expect(problemsOf(sasl('    password: hunter2\n'))).toEqual([
      {
        path: 'kafka.sasl.password',
        message:
          'is written in the file, and secrets do not belong in the config; use password: ${KAFKA_PASSWORD} (from the environment) or password_file',
      },
    ]);
  });
});

describe('tls *_file', () => {
  function tls(lines: string): string {
    return `kafka:\n  brokers: [a:9092]\n  tls:\n${lines}${MINIMAL}`;
  }

  it('reads the PEM files', () => {
    const yaml = tls(
      `    ca_file: ${file('ca.pem', `${CA}\n`)}\n` +
        `    cert_file: ${file('cert.pem', `${CERT}\n`)}\n` +
        `    key_file: ${file('key.pem', `${KEY}\n`)}\n` +
        '    reject_unauthorized: false\n',
    );
    expect(parseConfig(yaml, 'a.yaml', {}).kafka?.tls).toEqual({
      ca: CA,
      cert: CERT,
      key: KEY,
      rejectUnauthorized: false,
    });
  });

  it('reads only the CA when only the CA is given', () => {
    const yaml = tls(`    ca_file: ${file('ca-only.pem', CA)}\n`);
    expect(parseConfig(yaml, 'a.yaml', {}).kafka?.tls).toEqual({ ca: CA, rejectUnauthorized: true });
  });

  it('reports a file without PEM data', () => {
    const der = file('ca.der', 'binary-ish');
    expect(problemsOf(tls(`    ca_file: ${der}\n`))).toEqual([
      {
        path: 'kafka.tls.ca_file',
        message: `"${der}" does not hold PEM data (no "-----BEGIN" line); convert it to PEM, e.g. openssl x509 -in cert.der -inform der -out cert.pem`,
      },
    ]);
  });

  it('wants cert_file and key_file together', () => {
    const cert = file('lonely-cert.pem', CERT);
    expect(problemsOf(tls(`    cert_file: ${cert}\n`))).toEqual([
      {
        path: 'kafka.tls.key_file',
        message:
          'is required when cert_file is set (client certificate authentication); add it, e.g. key_file: /etc/driftwatch/tls/client.key',
      },
    ]);
    const key = file('lonely-key.pem', KEY);
    expect(problemsOf(tls(`    key_file: ${key}\n`))).toEqual([
      {
        path: 'kafka.tls.cert_file',
        message:
          'is required when key_file is set (client certificate authentication); add it, e.g. cert_file: /etc/driftwatch/tls/client.pem',
      },
    ]);
  });

  it('reports every unreadable file at once', () => {
    const problems = problemsOf(
      tls(
        `    ca_file: ${join(dir, 'no-ca')}\n    cert_file: ${join(dir, 'no-cert')}\n    key_file: ${join(dir, 'no-key')}\n`,
      ),
    );
    expect(problems.map((problem) => problem.path)).toEqual([
      'kafka.tls.ca_file',
      'kafka.tls.cert_file',
      'kafka.tls.key_file',
    ]);
  });
});
