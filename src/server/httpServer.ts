/**
 * The daemon's HTTP endpoints: `/metrics` for Prometheus, `/healthz` (the process is
 * alive and its event loop answers), `/readyz` (every readiness check passes: the source is
 * connected, baselines are loaded) and a read-only JSON status API under `/api/v1/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

import { DriftwatchError } from '../errors.js';
import type { Lifecycle } from '../pipeline/stage.js';

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
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n');
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
          return send(res, 200, 'application/json', `${JSON.stringify(this.options.status(), null, 2)}\n`);
        default:
          return send(res, 404, 'text/plain', 'not found\n');
      }
    } catch (error) {
      return send(res, 500, 'text/plain', `${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
