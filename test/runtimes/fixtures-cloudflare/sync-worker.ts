/**
 * The example sync Worker as the Cloudflare sync test runs it in workerd, with its KV binding
 * counted at the binding itself so that the test sees every write.
 */
import example, { type SyncEnv } from '../../../examples/worker/sync.js';

let puts = 0;
let lastError: string | undefined;

export default {
  scheduled(controller: unknown, env: SyncEnv): Promise<void> {
    const kv = env.LD_KV;
    const run = example.scheduled(controller, {
      ...env,
      LD_KV: {
        get: (key) => kv.get(key),
        put(key, value) {
          puts++;
          return kv.put(key, value);
        },
      },
    });
    // Kept for the test to read, and rethrown so that the run still fails.
    return run.catch((err: unknown) => {
      lastError = (err as Error).message;
      throw err;
    });
  },
  fetch(): Response {
    return Response.json({ puts, lastError });
  },
};
