/**
 * The shape every host's handler wrapper shares: wait (bounded) for fresh flags, run the handler,
 * then deliver its events, also when it throws. A failed or slow load never stops the handler:
 * its evaluations then give the flags held, or the defaults.
 */
import { clientInternals } from '../../src/adapterApi.js';
import type { LDClient, LDWaitOptions } from '../../src/lean.js';

/**
 * Runs `handler` once `client` has fresh flags or `wait.timeout` seconds (default 5) have passed, then
 * `deliver`, awaiting what it returns. A load failure goes to `loadFailed`, by default a warning on
 * the client's logger.
 */
export async function withFreshFlags<R>(
  client: LDClient,
  wait: LDWaitOptions,
  handler: () => R | Promise<R>,
  deliver: () => unknown,
  loadFailed = (message: string) => clientInternals(client)[0].warn(`flags are not loaded (${message}); evaluating to defaults`),
): Promise<R> {
  try {
    await client.waitForInitialization(wait);
  } catch (err) {
    loadFailed((err as Error).message);
  }
  try {
    return await handler();
  } finally {
    await deliver();
  }
}
