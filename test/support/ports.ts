import { createServer, type Server } from 'node:net';

function listenEphemeral(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago, for servers that
 * must be told their port up front (Kafka, Prometheus) rather than binding :0.
 * Another process can still grab it before the caller binds; the window is small
 * enough for tests, and fixed ports would collide far more often.
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * Returns `count` distinct free ports. They are held open together until all are
 * known, because consecutive single probes may hand back the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenEphemeral());
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('unexpected non-TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}
