/**
 * One poll of `GET {baseUri}/sdk/latest-all`, remembering the `ETag` so that an unchanged data set
 * costs a `304` and no parse.
 */
import {
  fetchWithTimeout,
  HttpStatusError,
  joinUri,
  readTextWithTimeout,
  requestHeaders,
  type HttpSettings,
} from '../http.js';
import type { AllData } from '../wire.js';
import { parseAllData } from './parse.js';
import type { DataLoader } from './types.js';

export class PollingLoader implements DataLoader {
  readonly name = 'poll';
  /** From the `X-LD-EnvID` header of the last answer that had one. */
  environmentId: string | undefined;
  private etag: string | undefined;
  private readonly url: string;

  constructor(
    private readonly http: HttpSettings,
    baseUri: string,
    /** Payload filter key, sent as `?filter=`. */
    filter?: string,
  ) {
    this.url = joinUri(baseUri, '/sdk/latest-all', filter);
  }

  /** The data set, or undefined when the server says it is unchanged since the last load. */
  async load(signal?: AbortSignal): Promise<AllData | undefined> {
    // Large flag sets compress well; hosts whose fetch already asks for gzip decompress either way.
    const extra: Record<string, string> = { 'Accept-Encoding': 'gzip' };
    if (this.etag !== undefined) extra['If-None-Match'] = this.etag;
    const { response, controller } = await fetchWithTimeout(
      this.http,
      this.url,
      { method: 'GET', headers: requestHeaders(this.http, extra) },
      this.http.connectTimeoutMs,
      'polling request',
      signal,
    );
    this.environmentId = response.headers.get('X-LD-EnvID') ?? this.environmentId;
    if (response.status === 304) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, 'polling request');
    }
    const text = await readTextWithTimeout(response, controller, this.http.readTimeoutMs, 'polling request');
    const data = parseAllData(text, 'polling response');
    // Only remember the ETag of a body we could use.
    this.etag = response.headers.get('ETag') ?? undefined;
    return data;
  }
}
