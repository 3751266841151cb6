/**
 * Reading a secret from the file a `*_file` key names (a mounted Kubernetes or Docker
 * secret), with a problem named by that key when it cannot be used. Called by
 * semantic.ts and alertsSemantic.ts while the config is loaded; reads the file system.
 */

import { readFileSync } from 'node:fs';

import type { ConfigProblem } from '../errors.js';

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EISDIR':
      return 'it is a directory (EISDIR)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** What a secret file must hold: PEM data, or any non-empty text. */
export type SecretKind = 'pem' | 'password' | 'token' | 'secret';

/**
 * Reads the secret file named by the value `file` of the key at `path` (relative to the
 * working directory), one trailing newline removed; undefined when `file` is not a
 * non-empty string (the schema reports that) or on a problem, which is appended to
 * `problems` under `path`.
 */
export function readSecretFile(
  file: unknown,
  path: string,
  kind: SecretKind,
  problems: ConfigProblem[],
): string | undefined {
  if (typeof file !== 'string' || file === '') return undefined;
  let contents: string;
  try {
    contents = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    problems.push({
      path,
      message: `cannot read "${file}": ${describeReadError(error)}; check the path (relative paths start from the working directory) or mount the secret there`,
    });
    return undefined;
  }
  if (contents.trim() === '') {
    problems.push({
      path,
      message: `"${file}" is empty; write the ${kind === 'pem' ? 'PEM data' : kind} into it`,
    });
    return undefined;
  }
  if (kind === 'pem' && !contents.includes('-----BEGIN ')) {
    problems.push({
      path,
      message: `"${file}" does not hold PEM data (no "-----BEGIN" line); convert it to PEM, e.g. openssl x509 -in cert.der -inform der -out cert.pem`,
    });
    return undefined;
  }
  return contents;
}
