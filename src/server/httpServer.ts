/**
 * The daemon's HTTP endpoints: `/metrics` for Prometheus, `/healthz` (the process is
 * alive and its event loop answers), `/readyz` (every readiness check passes: the source is
 * connected, baselines are loaded) and a read-only JSON status API under `/api/v1/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

import type { AlertsReader } from '../alerts/engine.js';
import { DriftwatchError } from '../errors.js';
import type { Lifecycle } from '../pipeline/stage.js';
import type { AdminHandler } from './adminApi.js';
import type { EvaluationReader } from './statusApi.js';

const MODELS_PATH = '/api/v1/models';

export interface ReadinessCheck {
  readonly name: string;
  ready(): boolean;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
  /** Returns the body of `GET /api/v1/status`. */
  readonly status: () => unknown;
  /** The last drift evaluation round, for `GET /api/v1/models[/{model}]`; without it those paths are 404. */
  readonly evaluations?: EvaluationReader;
  /** The alert engine, for `GET /api/v1/alerts`; without it that path is 404. */
  readonly alerts?: AlertsReader;
  /** The admin API (silences, any method, its own auth); without it those paths are 404. */
  readonly admin?: AdminHandler;
}

export class HttpServer implements Lifecycle {
  private server: Server | null = null;

  constructor(private readonly options: HttpServerOptions) {}

  /** The bound port (useful with port 0); throws before `start()`. */
  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address === null || address === undefined) throw new Error('server not started');
    return address.port;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new DriftwatchError(
            'DW_SERVER_LISTEN',
            `cannot listen on ${this.options.host}:${this.options.port}: ${err.message}; set server.port to a free port`,
            { retryable: err.code === 'EADDRINUSE', cause: err },
          ),
        ),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== undefined && this.options.admin?.handles(path) === true) {
      return this.options.admin.handle(req, res).catch(() => void res.destroy());
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    try {
      switch (path) {
        case '/metrics': {
          const body = await this.options.registry.metrics();
          return send(res, 200, this.options.registry.contentType, body);
        }
        case '/healthz':
          return send(res, 200, 'text/plain', 'ok\n');
        case '/readyz': {
          const failing = this.options.readiness.filter((c) => !c.ready()).map((c) => c.name);
          return failing.length === 0
            ? send(res, 200, 'text/plain', 'ready\n')
            : send(res, 503, 'text/plain', `not ready: ${failing.join(', ')}\n`);
        }
        case '/api/v1/status':
          return sendJson(res, 200, this.options.status());
        case '/api/v1/alerts':
          if (this.options.alerts === undefined) break;
          return sendJson(res, 200, this.options.alerts.alertsBody());
        case MODELS_PATH:
          if (this.options.evaluations === undefined) break;
          return sendJson(res, 200, this.options.evaluations.modelsBody());
        default:
          if (this.options.evaluations !== undefined && path?.startsWith(`${MODELS_PATH}/`) === true)
            return this.model(res, this.options.evaluations, path.slice(MODELS_PATH.length + 1));
      }
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (error) {
      return send(res, 500, 'text/plain', `${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  /** `GET /api/v1/models/{model}`: `encoded` is the rest of the path, percent-encoded (UTF-8). */
  private model(res: ServerResponse, evaluations: EvaluationReader, encoded: string): void {
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      return sendJson(res, 400, {
        error: `the model name in ${MODELS_PATH}/${encoded} is not valid percent-encoded UTF-8; encode it with encodeURIComponent`,
      });
    }
    const body = evaluations.modelBody(name);
    if (body === undefined)
      return sendJson(res, 404, {
        error: `no evaluation of model ${JSON.stringify(name)} in the last evaluation step; GET ${MODELS_PATH} lists the evaluated models`,
      });
    return sendJson(res, 200, body);
  }
}

function send(
  res: ServerResponse,
  code: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json', `${JSON.stringify(body, null, 2)}\n`);
}
