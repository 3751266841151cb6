/**
 * The admin API (docs/status-api.md#admin-api, docs/alerting.md#silences): the endpoints that
 * change the daemon, behind a bearer token. Today the silences, after Alertmanager's
 * `/api/v2/silences`:
 *
 *   GET    /api/v1/silences[?expired=true]   list
 *   POST   /api/v1/silences                  add       -> 201 {silence}
 *   GET    /api/v1/silences/{id}             one
 *   DELETE /api/v1/silences/{id}             expire    -> 200 {silence}, 404, 409
 *
 * Without a configured token (`alerts.admin_token_file`) every admin path answers 404: an API
 * that changes what gets notified is never open by default.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SilenceStore } from '../alerts/silenceStore.js';
import { SilenceError } from '../alerts/silences.js';
import { parseSilenceRequest, silenceView } from './silenceRequest.js';

export const SILENCES_PATH = '/api/v1/silences';

/** The largest request body read, in bytes; a larger one is answered 413 unread. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/**
 * What the HTTP server hands admin requests to: it asks `handles(path)` for each request and,
 * when true, leaves the whole answer (any method) to `handle`.
 */
export interface AdminHandler {
  handles(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Options of AdminApi. */
export interface AdminApiOptions {
  /** The bearer token; null disables the API (404). */
  readonly token: string | null;
  readonly silences: SilenceStore;
  /** Epoch ms, for the state of the silences shown; default Date.now. */
  readonly now?: () => number;
}

/**
 * The admin API of one daemon, built by the composition root and passed to HttpServer as
 * `admin`. Each request is answered on its own; the changes are serialised by the store.
 */
export class AdminApi implements AdminHandler {
  private readonly tokenDigest: Buffer | null;
  private readonly now: () => number;

  constructor(private readonly options: AdminApiOptions) {
    this.tokenDigest = options.token === null ? null : digest(options.token);
    this.now = options.now ?? Date.now;
  }

  handles(path: string): boolean {
    return path === SILENCES_PATH || path.startsWith(`${SILENCES_PATH}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = '', query = ''] = (req.url ?? '/').split('?', 2);
    if (this.tokenDigest === null) {
      req.resume();
      return sendJson(res, 404, {
        error:
          'the admin API is disabled: no admin token is configured; set alerts.admin_token_file (or an ${ENV} admin_token) and restart',
      });
    }
    if (!this.authorised(req.headers.authorization, this.tokenDigest)) {
      req.resume();
      return sendJson(
        res,
        401,
        { error: 'missing or wrong bearer token; send the header Authorization: Bearer <admin token>' },
        { 'www-authenticate': 'Bearer realm="driftwatch"' },
      );
    }
    try {
      if (path === SILENCES_PATH) {
        if (req.method === 'GET' || req.method === 'HEAD') return this.list(res, query);
        if (req.method === 'POST') return await this.add(req, res);
        req.resume();
        return sendJson(
          res,
          405,
          { error: `${req.method} is not allowed on ${SILENCES_PATH}` },
          {
            allow: 'GET, HEAD, POST',
          },
        );
      }
      req.resume();
      const id = decodeId(path.slice(SILENCES_PATH.length + 1));
      if (id === undefined) {
        return sendJson(res, 400, { error: `the silence id in ${path} is not valid percent-encoded UTF-8` });
      }
      if (req.method === 'GET' || req.method === 'HEAD') return this.one(res, id);
      if (req.method === 'DELETE') return await this.expire(res, id);
      return sendJson(
        res,
        405,
        { error: `${req.method} is not allowed on ${SILENCES_PATH}/{id}` },
        {
          allow: 'GET, HEAD, DELETE',
        },
      );
    } catch (error) {
      if (error instanceof SilenceError) {
        return sendJson(res, error.reason === 'not_found' ? 404 : 400, { error: error.message });
      }
      if (error instanceof BodyError) {
        return sendJson(res, error.status, { error: error.message }, { connection: 'close' });
      }
      return sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Constant time: both sides are hashed to 32 bytes, so neither the token nor its length leaks. */
  private authorised(header: string | undefined, expected: Buffer): boolean {
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  }

  private list(res: ServerResponse, query: string): void {
    const expired = new URLSearchParams(query).get('expired');
    if (expired !== null && expired !== 'true' && expired !== 'false') {
      return sendJson(res, 400, { error: `expired=${expired}: use expired=true or expired=false` });
    }
    const now = this.now();
    const silences = this.options.silences.list(expired === 'true').map((s) => silenceView(s, now));
    return sendJson(res, 200, { silences });
  }

  private one(res: ServerResponse, id: string): void {
    const silence = this.options.silences.get(id);
    if (silence === undefined) {
      return sendJson(res, 404, {
        error: `no silence has id "${id}"; see the ids with driftwatch silence list --expired`,
      });
    }
    return sendJson(res, 200, { silence: silenceView(silence, this.now()) });
  }

  private async add(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req, MAX_ADMIN_BODY_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new SilenceError(
        'invalid',
        `the body is not JSON (${error instanceof Error ? error.message : String(error)}); send a JSON object`,
      );
    }
    const silence = await this.options.silences.add(parseSilenceRequest(body, this.now()));
    return sendJson(res, 201, { silence: silenceView(silence, this.now()) });
  }

  private async expire(res: ServerResponse, id: string): Promise<void> {
    try {
      const silence = await this.options.silences.expire(id);
      return sendJson(res, 200, { silence: silenceView(silence, this.now()) });
    } catch (error) {
      // Already ended: the request conflicts with the silence's state, it is not malformed.
      if (error instanceof SilenceError && error.reason === 'invalid')
        return sendJson(res, 409, { error: error.message });
      throw error;
    }
  }
}

/** A body that cannot be read: too large (413) or cut off. */
class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body as UTF-8, refused as soon as it passes `limit` bytes (a declared length is checked first). */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new BodyError(
      413,
      `the body is larger than ${limit} bytes; a silence needs far less, check what is sent`,
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<string>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', (error) => reject(new BodyError(400, `the body could not be read: ${error.message}`)));
  });
}

function decodeId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}
