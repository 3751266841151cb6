import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message the sink accepted, with the SMTP envelope (which the headers need not match). */
export interface ReceivedMail {
  /** MAIL FROM address, or false for a null sender (`MAIL FROM:<>`). */
  envelopeFrom: string | false;
  /** RCPT TO addresses in the order the client gave them. */
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface StartSmtpOptions {
  /** Port to listen on; default a free one. Pass a stopped sink's port to bring it back there. */
  port?: number;
}

/**
 * A real SMTP server on 127.0.0.1 for the email notifier's integration tests, started by
 * `startSmtp`. It offers STARTTLS with smtp-server's built-in self-signed certificate (clients
 * need `tls: { rejectUnauthorized: false }`), makes AUTH optional and accepts every message.
 */
export interface SmtpSink {
  port: number;
  /**
   * Accepted messages in the order their DATA ended. A message is recorded before the server
   * answers 250, so once a client's send has resolved, its message is already here.
   */
  messages: ReceivedMail[];
  /**
   * Resolves with the first truthy result of `predicate` over `messages`, checked now and after
   * every new message; rejects after `timeoutMs` (default 10 s) with what did arrive.
   */
  waitFor<T>(
    predicate: (messages: readonly ReceivedMail[]) => T,
    timeoutMs?: number,
  ): Promise<NonNullable<T>>;
  /**
   * Makes later messages fail at the end of DATA with this SMTP reply code (e.g. 451, which a
   * client should retry, or 550, which it should not); `null` accepts them again.
   */
  refuseMessages(responseCode: number | null): void;
  /**
   * Simulates an outage: stops listening, so connections are refused, and drops open ones,
   * pooled client connections included. `messages` is kept. Idempotent.
   */
  stopListening(): Promise<void>;
  /** Ends an outage: listens again on the same `port`. No-op while listening; throws after `close()`. */
  listenAgain(): Promise<void>;
  /** Stops for good (as `stopListening`); safe to call more than once. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts an SMTP sink on 127.0.0.1 (on `options.port` when given, else a free port) and
 * resolves once it listens. Callers must `close()` it, typically in afterAll.
 */
export async function startSmtp(options: StartSmtpOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const arrivalListeners = new Set<() => void>();
  let refuseCode: number | null = null;
  // Parsing is chained so that messages land in the order their DATA ended, even when
  // several pooled connections deliver at once.
  let parsing: Promise<unknown> = Promise.resolve();

  function onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    done: (err?: Error | null) => void,
  ) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', (err) => done(err));
    stream.once('end', () => {
      const envelopeFrom = session.envelope.mailFrom === false ? false : session.envelope.mailFrom.address;
      const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
      const code = refuseCode;
      const raw = Buffer.concat(chunks);
      parsing = parsing.then(async () => {
        if (code !== null) {
          done(
            Object.assign(new Error(`message refused by the test sink (reply ${code})`), {
              responseCode: code,
            }),
          );
          return;
        }
        try {
          const mail = await simpleParser(raw);
          messages.push({ envelopeFrom, envelopeTo, mail });
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
        for (const notify of arrivalListeners) notify();
      });
    });
  }

  function createServer(): SMTPServer {
    const server = new SMTPServer({
      name: 'driftwatch-test-smtp',
      authOptional: true,
      // The built-in certificate is the point here; `logger: false` also silences its warning.
      logger: false,
      onData,
    });
    // Clients that vanish (ECONNRESET, a failed handshake) are reported as 'error' events,
    // which would crash the test process if nobody listened.
    server.on('error', () => {});
    return server;
  }

  function listen(server: SMTPServer, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new Error(`SMTP sink could not listen on ${HOST}:${port}: ${err.message}`));
      server.server.once('error', onError);
      server.listen(port, HOST, () => {
        server.server.off('error', onError);
        resolve((server.server.address() as AddressInfo).port);
      });
    });
  }

  let current: SMTPServer | undefined = createServer();
  const port = await listen(current, options.port ?? 0);

  function shutDown(server: SMTPServer): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // smtp-server would give open sessions its closeTimeout (30 s) to end; pooled clients
    // keep theirs open indefinitely. Destroy the topmost socket of each, except during a
    // STARTTLS handshake, where tearing the raw socket down from under the TLS socket can
    // crash Node: those get smtp-server's own close (421, then a bounded half-close).
    for (const connection of server.connections) {
      if (connection._upgrading) connection.close();
      else connection._socket.destroy();
    }
    return closed;
  }

  // Stops and restarts are serialized, so overlapping calls cannot bind the port twice.
  let closed = false;
  let transition: Promise<void> = Promise.resolve();
  const serialize = (step: () => Promise<void>): Promise<void> => (transition = transition.then(step, step));

  const stopListening = (): Promise<void> =>
    serialize(async () => {
      const server = current;
      current = undefined;
      if (server) await shutDown(server);
    });

  const listenAgain = (): Promise<void> =>
    serialize(async () => {
      if (closed) throw new Error('SMTP sink is closed; start a new one with startSmtp({ port })');
      if (current) return;
      const server = createServer();
      await listen(server, port);
      current = server;
    });

  const close = (): Promise<void> => {
    closed = true;
    return stopListening();
  };

  function waitFor<T>(
    predicate: (messages: readonly ReceivedMail[]) => T,
    timeoutMs = 10_000,
  ): Promise<NonNullable<T>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        let result: T;
        try {
          result = predicate(messages);
        } catch (err) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        if (!result) return false;
        finish();
        resolve(result as NonNullable<T>);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        const seen = messages.map((m) => JSON.stringify(m.mail.subject ?? '')).join(', ') || 'none';
        reject(new Error(`SMTP sink: condition not met within ${timeoutMs} ms; subjects received: ${seen}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        arrivalListeners.delete(check);
      };
      if (!check()) arrivalListeners.add(check);
    });
  }

  return {
    port,
    messages,
    waitFor,
    refuseMessages: (responseCode) => {
      refuseCode = responseCode;
    },
    stopListening,
    listenAgain,
    close,
  };
}
