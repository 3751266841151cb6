/**
 * `driftwatch silence add|list|expire`: the silences of a running daemon, through its admin API
 * (docs/alerting.md#silences), as `amtool silence add|query|expire` does for Alertmanager. The
 * token comes from a file (`--token-file`) or the environment (`DRIFTWATCH_ADMIN_TOKEN`), never
 * from a flag value, which `ps` and the shell history would show.
 *
 * Exit codes: 0 done; 1 the daemon cannot be reached or failed (the message names the URL);
 * 2 bad usage or a request the daemon refused (its message shown: a bad matcher, a wrong token,
 * an unknown id).
 */
import { readFile } from 'node:fs/promises';

import type { Command } from 'commander';

import { formatMatcher, parseMatcher } from '../alerts/matchers.js';
import { parseDuration } from '../config/values.js';
import { DriftwatchError } from '../errors.js';
import type { SilenceView } from '../server/silenceRequest.js';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9874';
export const TOKEN_ENV = 'DRIFTWATCH_ADMIN_TOKEN';
const SILENCES = '/api/v1/silences';
/** A daemon that does not answer within this is reported as unreachable. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Options every `silence` subcommand takes. */
interface ConnectionOptions {
  readonly url: string;
  readonly tokenFile?: string;
}

/** The daemon could not be reached or answered with a server error: exit 1. */
class AdminUnavailableError extends Error {}

function usage(message: string): DriftwatchError {
  return new DriftwatchError('DW_USAGE', message);
}

async function readToken(opts: ConnectionOptions): Promise<string> {
  if (opts.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.tokenFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `--token-file ${opts.tokenFile}: cannot read it (${reason})`,
        {
          cause: error,
        },
      );
    }
    // As the daemon reads admin_token_file: one trailing newline removed.
    const token = text.replace(/\r?\n$/, '');
    if (token === '')
      throw usage(`--token-file ${opts.tokenFile}: the file is empty; put the admin token in it`);
    return token;
  }
  const token = process.env[TOKEN_ENV];
  if (token === undefined || token === '') {
    throw usage(
      `no admin token: set ${TOKEN_ENV} or pass --token-file <file> (the daemon's alerts.admin_token)`,
    );
  }
  return token;
}

/** One request to the admin API; resolves with the parsed JSON of a 2xx answer. */
async function request(
  opts: ConnectionOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = await readToken(opts);
  const base = opts.url.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}${path}`);
  } catch {
    throw usage(`--url ${opts.url} is not a URL; use e.g. ${DEFAULT_ADMIN_URL}`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new AdminUnavailableError(
      `cannot reach the daemon at ${base} (${cause}); check that it runs and --url (server.host, server.port)`,
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const message =
    typeof (parsed as { error?: unknown } | undefined)?.error === 'string'
      ? (parsed as { error: string }).error
      : text.trim().slice(0, 200);
  if (res.status >= 500 || parsed === undefined) {
    throw new AdminUnavailableError(`${method} ${url.href} answered ${res.status}: ${message}`);
  }
  if (res.status >= 400) throw usage(`${method} ${url.href} answered ${res.status}: ${message}`);
  return parsed;
}

/** Options of `silence add`, as commander hands them. */
interface AddOptions extends ConnectionOptions {
  readonly matcher: readonly string[];
  readonly duration?: string;
  readonly end?: string;
  readonly start?: string;
  readonly comment: string;
  readonly author?: string;
}

/**
 * The body of `POST /api/v1/silences` from the command line; the matchers and the duration are
 * checked here so that a typo fails at once, without a daemon.
 * @throws DriftwatchError (DW_USAGE) naming the option and the fix.
 */
export function addBody(opts: AddOptions, user: string | undefined): Record<string, unknown> {
  const matchers = opts.matcher.map((text) => formatMatcher(parseMatcher(text)));
  if ((opts.duration === undefined) === (opts.end === undefined)) {
    throw usage('give either --duration (e.g. 2h) or --end (RFC 3339), not both and not neither');
  }
  if (opts.duration !== undefined) {
    const ms = parseDuration(opts.duration);
    if (ms === undefined || ms <= 0)
      throw usage(`--duration: "${opts.duration}" is not a duration; use e.g. 2h or 30m`);
  }
  const createdBy = opts.author ?? user;
  if (createdBy === undefined || createdBy.trim() === '') {
    throw usage('no author: pass --author NAME ($USER is not set)');
  }
  if (opts.comment.trim() === '') throw usage('--comment is empty; say why, e.g. the ticket of the change');
  return {
    matchers,
    ...(opts.start === undefined ? {} : { startsAt: opts.start }),
    ...(opts.end === undefined ? {} : { endsAt: opts.end }),
    ...(opts.duration === undefined ? {} : { duration: opts.duration }),
    createdBy,
    comment: opts.comment,
  };
}

/**
 * The table of `silence list`: one line per silence, columns padded to the widest cell; the
 * comment last, as it is free text. Pure; exported for tests.
 */
export function formatSilenceTable(silences: readonly SilenceView[]): string {
  const rows = [
    ['ID', 'STATE', 'MATCHERS', 'ENDS', 'AUTHOR', 'COMMENT'],
    ...silences.map((s) => [
      s.id,
      s.status.state,
      s.matchersText.join(' '),
      s.endsAt,
      s.createdBy,
      s.comment.replace(/\s+/g, ' '),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    )
    .join('\n')
    .concat('\n');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Runs a subcommand: an unreachable or failing daemon is exit 1; DriftwatchErrors go to main.ts (exit 2). */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof AdminUnavailableError)) throw error;
    process.stderr.write(`driftwatch: ${error.message}\n`);
    process.exitCode = 1;
  }
}

function connection(command: Command): Command {
  return command
    .option('--url <url>', 'the daemon (its server.host and server.port)', DEFAULT_ADMIN_URL)
    .option(
      '--token-file <file>',
      `a file holding the admin token (default: the ${TOKEN_ENV} environment variable)`,
    );
}

/** Adds `silence add|list|expire` to the program. */
export function registerSilenceCommand(program: Command): void {
  const silence = program
    .command('silence')
    .description("mute alerts for a while: add, list and expire the daemon's silences (admin API)");

  connection(
    silence
      .command('add')
      .description('add a silence; prints its id')
      .requiredOption(
        '--matcher <matcher>',
        'label matcher, e.g. model="fraud" or severity=~"warn.*" (repeat: all must match)',
        collect,
      )
      .option('--duration <duration>', 'how long from the start, e.g. 2h')
      .option('--end <time>', 'when it ends, RFC 3339 (e.g. 2026-05-02T18:00:00Z)')
      .option('--start <time>', 'when it starts, RFC 3339 (default: now)')
      .requiredOption('--comment <text>', 'why, e.g. the ticket of the planned change')
      .option('--author <name>', 'who adds it (default: $USER)'),
  ).action(async (opts: AddOptions) =>
    run(async () => {
      const body = addBody(opts, process.env['USER']);
      const answer = (await request(opts, 'POST', SILENCES, body)) as { silence: SilenceView };
      process.stdout.write(`${answer.silence.id}\n`);
    }),
  );

  connection(
    silence
      .command('list')
      .alias('query')
      .description('list the pending and active silences')
      .option('--expired', 'also list the silences that ended (kept 5 days)', false)
      .option('--json', 'print the silences as JSON, as the admin API answers them', false),
  ).action(async (opts: ConnectionOptions & { expired: boolean; json: boolean }) =>
    run(async () => {
      const answer = (await request(opts, 'GET', `${SILENCES}${opts.expired ? '?expired=true' : ''}`)) as {
        silences: SilenceView[];
      };
      process.stdout.write(
        opts.json ? `${JSON.stringify(answer.silences, null, 2)}\n` : formatSilenceTable(answer.silences),
      );
    }),
  );

  connection(
    silence.command('expire').description('end a silence now').argument('<id>', 'the id of the silence'),
  ).action(async (id: string, opts: ConnectionOptions) =>
    run(async () => {
      await request(opts, 'DELETE', `${SILENCES}/${encodeURIComponent(id)}`);
      process.stdout.write(`${id}\n`);
    }),
  );
}
