/**
 * A scheduled function's handler (an AWS Lambda invoked by an EventBridge schedule, say): one
 * sync per invocation, from a `Sync` kept for the container's life, so a warm container asks
 * LaunchDarkly with the version it wrote and an unchanged set costs a 304 and no write.
 */
import { createSync, type Sync, type SyncResult } from './poll.js';
import type { SyncOptions } from './options.js';

/**
 * `options` is read on the first invocation (a function may read secrets then). The handler
 * resolves to what the sync did and rejects when it failed, so the scheduler records a failed
 * invocation and the next one tries again.
 */
export function syncHandler(options: SyncOptions | (() => SyncOptions | Promise<SyncOptions>)): (event?: unknown) => Promise<SyncResult> {
  let sync: Promise<Sync> | undefined;
  return async () => {
    sync ??= Promise.resolve(typeof options === 'function' ? options() : options).then(createSync);
    // A failed setup is not kept: the next invocation reads the options again.
    sync.catch(() => (sync = undefined));
    return (await sync).run();
  };
}
