/**
 * How notifications leave the daemon: the pooled SMTP transport (nodemailer) and JSON POSTs
 * (webhook, Alertmanager), each failure sorted into retryable (the server may take it later:
 * connection refused, timeouts, HTTP 408/429/5xx, SMTP 4xx) and permanent (HTTP 4xx, SMTP 5xx: the
 * same request would fail again). Effectful: the network.
 */
import { createTransport, type Transporter } from 'nodemailer';

import type { SmtpConfig } from '../config/types.js';
import { messageOf } from '../state/stateFiles.js';

/** A delivery attempt that failed; `retryable` says whether trying again may help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** One email as the email receiver hands it to the transport. */
export interface OutgoingEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The one pooled SMTP transport of the daemon (`alerts.smtp`). */
export class SmtpTransport {
  private readonly transport: Transporter;

  constructor(private readonly config: SmtpConfig) {
    this.transport = createTransport({
      pool: true,
      maxConnections: config.poolSize,
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: !config.secure && config.starttls,
      ignoreTLS: false,
      auth:
        config.username === null ? undefined : { user: config.username, pass: config.password ?? undefined },
      tls: { rejectUnauthorized: config.rejectUnauthorized },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /**
   * Sends one email; resolves once the server accepted it for every recipient.
   * @throws DeliveryError: permanent for an SMTP 5xx answer (a refused recipient or message),
   *   retryable otherwise (no connection, a timeout, a 4xx answer).
   */
  async send(email: OutgoingEmail): Promise<void> {
    try {
      const info = (await this.transport.sendMail({
        from: email.from,
        to: [...email.to],
        subject: email.subject,
        text: email.text,
        html: email.html,
      })) as { rejected?: unknown[] };
      const rejected = info.rejected ?? [];
      if (rejected.length > 0) {
        throw new DeliveryError(
          `the SMTP server ${this.where()} refused ${rejected.map(String).join(', ')}`,
          false,
        );
      }
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const code = (error as { responseCode?: unknown }).responseCode;
      const permanent = typeof code === 'number' && code >= 500 && code < 600;
      throw new DeliveryError(`SMTP ${this.where()}: ${messageOf(error)}`, !permanent);
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.transport.close();
  }

  private where(): string {
    return `${this.config.host}:${this.config.port}`;
  }
}

/**
 * POSTs `body` (JSON text) to `url`; resolves on a 2xx answer.
 * @throws DeliveryError: retryable for no connection, a timeout, 408, 429 and 5xx; permanent for
 *   the other answers (the receiver refuses the request as it is).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause === undefined ? messageOf(error) : `${messageOf(error)} (${messageOf(cause)})`;
    throw new DeliveryError(`POST ${url}: ${detail}`, true);
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = (await response.text().catch(() => '')).slice(0, 300);
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new DeliveryError(
    `POST ${url}: HTTP ${response.status}${text === '' ? '' : `: ${text.trim()}`}`,
    retryable,
  );
}
