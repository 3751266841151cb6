/**
 * Where the daemon keeps its checkpoint: the small interface it saves to at every step and on
 * shutdown, and loads from on start, so that a later version can keep checkpoints elsewhere (a
 * compacted Kafka topic) without touching the daemon. FileCheckpointStore (fileStore.ts) is the one
 * implementation today.
 */

import type { Checkpoint } from './format.js';

/** What `load` found. A checkpoint that cannot be used is never thrown: it is set aside and named. */
export type LoadResult =
  | { readonly status: 'none' }
  | { readonly status: 'loaded'; readonly checkpoint: Checkpoint }
  | {
      readonly status: 'set_aside';
      /** What was wrong with it, for the daemon's log (the file and the decoder's message). */
      readonly reason: string;
      /** Where the unusable checkpoint now is, kept for inspection (never deleted). */
      readonly movedTo: string;
    };

/**
 * The daemon's checkpoint store: `load` once on start, before consuming; `save` at every step and
 * on shutdown. One daemon per store: two processes saving to the same store overwrite each other.
 */
export interface CheckpointStore {
  /**
   * The last saved checkpoint; `none` when there is none. A corrupt or unreadable one is set aside
   * (not deleted) and reported in the result, never thrown, so a restart goes on with empty windows.
   */
  load(): Promise<LoadResult>;
  /**
   * Saves atomically: after a crash at any moment, `load()` returns either the previous checkpoint or
   * this one, whole. Calls are serialised: the one called last is the one kept. Rejects (with a
   * retryable error) when it cannot write; the previous checkpoint is then still there.
   */
  save(checkpoint: Checkpoint): Promise<void>;
}
