/**
 * The notification log: one JSON line per delivery attempt in
 * `<state.directory>/notifications.log` (what was sent to whom, when, and what came of it), for
 * the on-call engineer asking "was I paged?". Appended in order; when the file passes
 * `maxBytes` it is renamed to `notifications.log.1` (replacing the previous one) and a new file
 * begins. A write that fails is reported to the caller's logger, never thrown: the log must not
 * stop deliveries. Effectful: the file system.
 */
import { appendFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The file name in the state directory. */
export const NOTIFICATION_LOG_FILE = 'notifications.log';
/** Rotation size. */
export const NOTIFICATION_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** One line of the log. */
export interface NotificationLogEntry {
  /** RFC 3339. */
  readonly at: string;
  readonly receiver: string;
  readonly owner: string | null;
  readonly kind: 'notification' | 'digest' | 'alertmanager';
  readonly groupKey: string | null;
  readonly status: 'firing' | 'resolved' | null;
  /** The alerts' fingerprints. */
  readonly alerts: readonly string[];
  readonly recipients: readonly string[];
  readonly outcome: 'delivered' | 'retried' | 'failed' | 'unrouted';
  readonly attempt: number;
  readonly error: string | null;
}

export class NotificationLog {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    directory: string,
    private readonly onError: (error: unknown) => void,
    private readonly maxBytes = NOTIFICATION_LOG_MAX_BYTES,
  ) {
    this.path = join(directory, NOTIFICATION_LOG_FILE);
  }

  /** Appends `entry` after the entries before it; never rejects. */
  append(entry: NotificationLogEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue.then(async () => {
      try {
        const size = await stat(this.path).then(
          (s) => s.size,
          () => 0,
        );
        if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes)
          await rename(this.path, `${this.path}.1`);
        await appendFile(this.path, line, 'utf8');
      } catch (error) {
        try {
          this.onError(error);
        } catch {
          // The reporter failed too; the log must still not stop deliveries.
        }
      }
    });
    return this.queue;
  }

  /** Resolves when every append so far is written (or failed). */
  settled(): Promise<void> {
    return this.queue;
  }
}
