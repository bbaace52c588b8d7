/**
 * HTTP shared by every request to LaunchDarkly: the headers it expects, and `fetch` bounded by
 * the connect timeout (until response headers arrive).
 */
import { loadError, type LDLoadError } from './util/errors.js';
import { SDK_NAME, SDK_VERSION } from './version.js';

export interface HttpSettings {
  readonly fetch: typeof fetch;
  /** What every request sends, from `sdkHeaders`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
}

/**
 * The headers every request to LaunchDarkly sends. `wrapper` (`X-LaunchDarkly-Wrapper`, `name` or
 * `name/version`) and `tags` (`X-LaunchDarkly-Tags`) are left out when empty.
 */
export function sdkHeaders(sdkKey: string, wrapper?: string, tags?: string): Record<string, string> {
  const agent = `${SDK_NAME}/${SDK_VERSION}`;
  let instanceId: string | undefined;
  const headers: Record<string, string> = {
    Authorization: sdkKey,
    // Hosts that refuse to set User-Agent still pass X-LaunchDarkly-User-Agent through.
    'User-Agent': agent,
    'X-LaunchDarkly-User-Agent': agent,
    // One random id per client, so LaunchDarkly can tell client instances apart. Made when a
    // request first copies the headers: Workers refuse random values in global scope, where
    // clients are created.
    get 'X-LaunchDarkly-Instance-Id'() {
      return (instanceId ??= crypto.randomUUID());
    },
  };
  if (wrapper) headers['X-LaunchDarkly-Wrapper'] = wrapper;
  if (tags) headers['X-LaunchDarkly-Tags'] = tags;
  return headers;
}

/** What to check when LaunchDarkly refuses a request as unauthorized. */
export function authHint(status: number | undefined): string {
  return status === 401 || status === 403 ? ' (is the SDK key valid?)' : '';
}

/** An HTTP response LaunchDarkly answered with an error status. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly code = 'ERROR_RESPONSE';
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`${what} failed with HTTP ${status}${authHint(status)}`);
  }
}

/** A 400, 408, 429 or 5xx may succeed when tried again; any other 4xx will not. */
export function isRecoverableStatus(status: number): boolean {
  if (status >= 400 && status < 500) return status === 400 || status === 408 || status === 429;
  return true;
}

/** Whether `err` is a timeout of ours (coded `TIMEOUT`; its message names the limit to raise). */
export function isTimeout(err: unknown): boolean {
  return (err as LDLoadError | undefined)?.code === 'TIMEOUT';
}

/**
 * Runs `work`, aborting `controller` after `timeoutMs`; a timeout rejects with a `TIMEOUT` error.
 * A network failure (fetch's TypeError) is coded `NETWORK_ERROR`.
 */
async function bounded<T>(controller: AbortController, timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  let timeout: LDLoadError | undefined;
  const timer = setTimeout(
    () => controller.abort((timeout = loadError(`${what} timed out after ${timeoutMs} ms`, 'TIMEOUT'))),
    timeoutMs,
  );
  try {
    return await work();
  } catch (err) {
    // Fetch rejects with a TypeError when no answer came; its cause says why.
    throw timeout ?? (err instanceof TypeError ? Object.assign(err, { code: 'NETWORK_ERROR' }) : err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `fetch` that gives up when the response headers have not arrived within `timeoutMs`. `text`
 * then reads the whole body as UTF-8, giving up (and aborting the request) after its own timeout;
 * bytes that are not UTF-8 are an error, not replacement characters that would corrupt flag values.
 * A caller that must be able to cancel the request itself (to close a source) passes a controller
 * of its own, made for this one request: a timeout aborts it for good, and it aborts the body too.
 */
export async function fetchWithTimeout(
  settings: HttpSettings,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
  controller = new AbortController(),
): Promise<{ response: Response; text(timeoutMs: number): Promise<string> }> {
  const response = await bounded(controller, timeoutMs, what, () =>
    settings.fetch(url, { ...init, signal: controller.signal }),
  );
  return {
    response,
    text: (bodyTimeoutMs) =>
      bounded(controller, bodyTimeoutMs, `${what} body`, () => response.arrayBuffer()).then((body) =>
        new TextDecoder('utf-8', { fatal: true }).decode(body),
      ),
  };
}

/**
 * Joins a base URI and a path (which starts with `/`) without doubling the slash between them,
 * adding the payload filter (`?filter=<key>`) when one is given.
 */
export function joinUri(base: string, path: string, filter?: string): string {
  const uri = base.replace(/\/+$/, '') + path;
  return filter ? `${uri}?filter=${encodeURIComponent(filter)}` : uri;
}
