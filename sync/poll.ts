/**
 * One sync by polling: `GET /sdk/latest-all` with the version the target holds as `If-None-Match`,
 * so an unchanged data set costs a `304` and no write.
 */
import { fetchWithTimeout, joinUri } from '../src/http.js';
import { contentVersion, isAuthStatus, liveData, setUp, SyncAuthError, type SyncOptions } from './options.js';
import type { AllData } from './types.js';

export interface SyncResult {
  /** Whether the target was written. */
  readonly written: boolean;
  /** The version the target holds now. */
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

/** The body as a data set, or an Error saying why it is not one: nothing unusable is written. */
function parseBody(text: string): AllData {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new Error(`LaunchDarkly's /sdk/latest-all answer is not JSON: ${(err as Error).message}`);
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const data = body as AllData;
  if (!isObject(body) || !isObject(data.flags ?? {}) || !isObject(data.segments ?? {})) {
    throw new Error('LaunchDarkly\'s /sdk/latest-all answer is not an object with "flags" and "segments"');
  }
  return { ...data, flags: data.flags ?? {}, segments: data.segments ?? {} };
}

/** A sync to run on a schedule. It remembers what it wrote, so that later runs need not ask the target. */
export function createSync(options: SyncOptions): Sync {
  const { sdkKey, target, key, baseUri, filter, http, logger } = setUp(options);
  const url = joinUri(baseUri, '/sdk/latest-all', filter);
  /** The version this sync last wrote or found in place. */
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
      const headers: Record<string, string> = { ...http.headers, 'Accept-Encoding': 'gzip' };
      if (held !== undefined) headers['If-None-Match'] = held;
      let answer: Awaited<ReturnType<typeof fetchWithTimeout>>;
      try {
        answer = await fetchWithTimeout(http, url, { headers }, http.connectTimeoutMs, 'polling request');
      } catch (err) {
        // Node's fetch says only "fetch failed" and keeps the reason in `cause`.
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new Error(`could not reach LaunchDarkly at ${baseUri}: ${(err as Error).message}${cause ? ` (${cause})` : ''}; ${target.name} not written`);
      }
      const { response, text } = answer;
      if (response.status === 304) {
        await response.body?.cancel();
        known = held;
        logger.debug(`flags unchanged (HTTP 304); ${target.name} not written`);
        return { written: false, version: held };
      }
      if (!response.ok) {
        await response.body?.cancel();
        if (isAuthStatus(response.status)) throw new SyncAuthError(response.status, sdkKey);
        throw new Error(`LaunchDarkly answered the polling request with HTTP ${response.status}; ${target.name} not written`);
      }
      const data = liveData(parseBody(await text(http.readTimeoutMs)));
      const body = JSON.stringify(data);
      const version = response.headers.get('ETag') ?? (await contentVersion(body));
      const entry = { key, text: body, data, version };
      if (version === held || (target.holds !== undefined && (await target.holds(entry)))) {
        known = version;
        logger.debug(`flags unchanged; ${target.name} not written`);
        return { written: false, version };
      }
      await target.write(entry);
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
