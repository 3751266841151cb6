/**
 * `driftwatch silence add|list|expire` as a user runs it (the built command, a child process)
 * against a real HttpServer serving the admin API over a silences file in a temporary state
 * directory: the whole round trip, the token, a restart reading the silences back, and the
 * exit codes of bad input and of a daemon that is not there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';

import { SilenceStore } from '../../src/alerts/silenceStore.js';
import { AdminApi } from '../../src/server/adminApi.js';
import { HttpServer } from '../../src/server/httpServer.js';
import type { SilenceView } from '../../src/server/silenceRequest.js';
import { registerSilenceMetrics } from '../../src/telemetry/silenceMetrics.js';
import { execCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const TOKEN = 'integration-admin-token';
const dir = mkdtempSync(join(tmpdir(), 'driftwatch-silences-it-'));
const stateDir = join(dir, 'state');
const tokenFile = join(dir, 'admin-token');
const wrongTokenFile = join(dir, 'wrong-token');
writeFileSync(tokenFile, `${TOKEN}\n`);
writeFileSync(wrongTokenFile, 'not-the-token\n');

let server: HttpServer | null = null;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the daemon does at start: the store loaded from the state directory, then the server. */
async function startServer(port: number): Promise<{ url: string; store: SilenceStore }> {
  const store = new SilenceStore(stateDir);
  const loaded = await store.load();
  expect(loaded.status).not.toBe('set_aside');
  const registry = new Registry();
  registerSilenceMetrics(registry, () => store.counts());
  server = new HttpServer({
    host: '127.0.0.1',
    port,
    registry,
    readiness: [],
    status: () => ({}),
    admin: new AdminApi({ token: TOKEN, silences: store }),
  });
  await server.start();
  return { url: `http://127.0.0.1:${port}`, store };
}

async function silence(url: string, args: readonly string[], token = tokenFile) {
  return execCli(['silence', ...args, '--url', url, '--token-file', token]);
}

describe('driftwatch silence', () => {
  it('adds, lists, expires; the token is checked; a restart keeps the silences', async () => {
    const port = await freePort();
    let { url, store } = await startServer(port);

    const add = await silence(url, [
      'add',
      '--matcher',
      'model="fraud"',
      '--matcher',
      'severity=~"warn.*"',
      '--duration',
      '2h',
      '--comment',
      'retraining the fraud model',
      '--author',
      'ana',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(store.isSilenced({ model: 'fraud', severity: 'warning' }, Date.now())?.id).toBe(id);
    expect(store.isSilenced({ model: 'fraud', severity: 'critical' }, Date.now())).toBeUndefined();

    const table = await silence(url, ['list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ID +STATE +MATCHERS +ENDS +AUTHOR +COMMENT$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${id}  active  model="fraud" severity=~"warn\\.\\*"  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  ana +retraining the fraud model$`,
      ),
    );

    // Without a token, with a wrong one: refused, nothing changed.
    const noToken = await execCli(['silence', 'list', '--url', url], { DRIFTWATCH_ADMIN_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/no admin token: set DRIFTWATCH_ADMIN_TOKEN or pass --token-file/);
    const wrong = await silence(url, ['expire', id], wrongTokenFile);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`DELETE ${url}/api/v1/silences/${id} answered 401`);
    const raw = await fetch(`${url}/api/v1/silences`);
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe('Bearer realm="driftwatch"');
    // The token from the environment works as the file does.
    const viaEnv = await execCli(['silence', 'list', '--json', '--url', url], {
      DRIFTWATCH_ADMIN_TOKEN: TOKEN,
    });
    expect(viaEnv.code).toBe(0);
    expect((JSON.parse(viaEnv.stdout) as SilenceView[]).map((s) => [s.id, s.status.state])).toEqual([
      [id, 'active'],
    ]);

    const expire = await silence(url, ['expire', id]);
    expect(expire.code).toBe(0);
    expect(expire.stdout.trim()).toBe(id);
    expect(store.isSilenced({ model: 'fraud', severity: 'warning' }, Date.now())).toBeUndefined();
    expect((await silence(url, ['list'])).stdout.trimEnd().split('\n')).toHaveLength(1);
    const again = await silence(url, ['expire', id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/answered 409: silence ".*" already ended at/);

    // A restart: a new store and server on the same state directory.
    await server?.stop();
    ({ url, store } = await startServer(port));
    const afterRestart = await silence(url, ['list', '--expired', '--json']);
    expect(afterRestart.code).toBe(0);
    const listed = JSON.parse(afterRestart.stdout) as SilenceView[];
    expect(listed.map((s) => [s.id, s.status.state, s.matchersText, s.createdBy])).toEqual([
      [id, 'expired', ['model="fraud"', 'severity=~"warn.*"'], 'ana'],
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('driftwatch_silences{state="expired"} 1\n');
    expect(metrics).toContain('driftwatch_silences{state="active"} 0\n');
  });

  it('exits 2 with the message for a bad matcher or a refused silence, 1 when the daemon is not there', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const common = ['--duration', '1h', '--comment', 'c', '--author', 'ana'];
    // Checked before any request: no daemon needed.
    const badMatcher = await silence(url, ['add', '--matcher', 'model=="fraud', ...common]);
    expect(badMatcher.code).toBe(2);
    expect(badMatcher.stderr).toContain(`DW_USAGE: invalid matcher 'model=="fraud'`);

    const unreachable = await silence(url, ['add', '--matcher', 'model="fraud"', ...common]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach the daemon at ${url}`);

    await server?.stop();
    await startServer(port);
    const everything = await silence(url, ['add', '--matcher', 'model=~".*"', ...common]);
    expect(everything.code).toBe(2);
    expect(everything.stderr).toMatch(/answered 400: every matcher matches the empty string/);
    const past = await silence(url, [
      'add',
      '--matcher',
      'model="fraud"',
      '--end',
      '2001-01-01T00:00:00Z',
      '--comment',
      'c',
      '--author',
      'ana',
    ]);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/answered 400: endsAt \(2001-01-01T00:00:00.000Z\) is not after startsAt/);
  });
});
