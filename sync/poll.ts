/**
 * One sync by polling: `GET /sdk/latest-all` with the version the target holds as `If-None-Match`,
 * so an unchanged data set costs a `304` and no write.
 */
import { PollingLoader } from '../src/data/poll.js';
import type { HttpSettings } from '../src/http.js';
import { authFailure, contentVersion, setUp, type SyncOptions } from './options.js';

export interface SyncResult {
  /** Whether the target was written. */
  readonly written: boolean;
  /** The version the target holds now, when known. */
  readonly version: string | undefined;
}

export interface Sync {
  /**
   * Polls once and writes the target if the data changed. Rejects with a `SyncAuthError` when
   * LaunchDarkly refuses the key, and with the target's error when the write fails: the previous
   * entry is then left as it was, and the next run tries again.
   */
  run(): Promise<SyncResult>;
}

/** A sync to run on a schedule. It remembers what it wrote, so that later runs need not ask the target. */
export function createSync(options: SyncOptions): Sync {
  const { config, target, key } = setUp(options);
  const { logger } = config;
  /** The version this sync last wrote or found unchanged. */
  let known: string | undefined;

  async function storedVersion(): Promise<string | undefined> {
    try {
      return await target.readVersion(key);
    } catch (err) {
      // Without it the poll is unconditional: the data is written again, which does no harm.
      logger.warn(`could not read the version stored in ${target.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  return {
    async run() {
      const held = known ?? (await storedVersion());
      let response: Response | undefined;
      const http: HttpSettings = {
        ...config.http,
        headers: held === undefined ? config.http.headers : { ...config.http.headers, 'If-None-Match': held },
        // Watched for its ETag, which the loader keeps to itself.
        fetch: async (url, init) => (response = await config.http.fetch(url, init)),
      };
      // A loader per run, so the ETag sent is the one the target holds, not one this process saw.
      const loader = new PollingLoader({ http, baseUri: config.baseUri, payloadFilterKey: config.payloadFilterKey });
      let data;
      try {
        data = await loader.load();
      } catch (err) {
        throw authFailure(err, config.sdkKey);
      }
      if (data === undefined) {
        known = held;
        logger.debug(`flags unchanged (HTTP 304); ${target.name} not written`);
        return { written: false, version: held };
      }
      const text = JSON.stringify(data);
      const version = response?.headers.get('ETag') ?? (await contentVersion(text));
      if (version === held) {
        known = held;
        return { written: false, version };
      }
      await target.write({ key, text, data, version });
      known = version;
      logger.info(`wrote ${key || 'flags'} (version ${version}) to ${target.name}`);
      return { written: true, version };
    },
  };
}

/** Polls once and writes the target if the data changed: for a cron job, a Lambda or `Deno.cron`. */
export function syncOnce(options: SyncOptions): Promise<SyncResult> {
  return createSync(options).run();
}
