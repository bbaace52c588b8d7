/**
 * One poll of `GET {baseUri}/sdk/latest-all`, remembering the `ETag` so that an unchanged data set
 * costs a `304` and no parse.
 */
import type { Config } from '../validateOptions.js';
import {
  fetchWithTimeout,
  HttpStatusError,
  joinUri,
  type HttpSettings,
} from '../http.js';
import type { AllData } from '../wire.js';
import { parseAllData } from './parseAllData.js';
import type { DataLoader } from './types.js';

export class PollingLoader implements DataLoader {
  readonly name = 'poll';
  /** From the `X-LD-EnvID` header of the last answer that had one. */
  environmentId: string | undefined;
  readonly #http: HttpSettings;
  readonly #url: string;
  #etag: string | undefined;

  /** The payload filter key, when configured, is sent as `?filter=`. */
  constructor({ http, baseUri, payloadFilterKey }: Pick<Config, 'http' | 'baseUri' | 'payloadFilterKey'>) {
    this.#http = http;
    this.#url = joinUri(baseUri, '/sdk/latest-all', payloadFilterKey);
  }

  /**
   * The data set, or undefined when the server says it is unchanged since the last load.
   * `abort`, when given, is made for this poll alone: aborting it cancels the poll.
   */
  async load(abort?: AbortController): Promise<AllData | undefined> {
    const http = this.#http;
    const what = 'polling request';
    // Large flag sets compress well; hosts whose fetch already asks for gzip decompress either way.
    const headers: Record<string, string> = { ...http.headers, 'Accept-Encoding': 'gzip' };
    if (this.#etag !== undefined) headers['If-None-Match'] = this.#etag;
    const { response, text } = await fetchWithTimeout(
      http,
      this.#url,
      { headers },
      http.connectTimeoutMs,
      what,
      abort,
    );
    const { status } = response;
    this.environmentId = response.headers.get('X-LD-EnvID') ?? this.environmentId;
    if (!response.ok) {
      await response.body?.cancel();
      if (status === 304) return undefined;
      throw new HttpStatusError(status, what);
    }
    const data = parseAllData(await text(http.readTimeoutMs), 'polling response');
    // Only remember the ETag of a body we could use.
    this.#etag = response.headers.get('ETag') ?? undefined;
    return data;
  }
}
