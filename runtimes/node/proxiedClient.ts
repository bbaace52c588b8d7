/** The long-lived client with its requests sent through a proxy, for `ldedge/node` and `ldedge` under Node. */
import { LDLongLivedClient, type LDOptions } from '../../src/index.js';
import type { ProxiedFetch } from './proxy.js';

/** A client whose `close()` also frees the connections it holds open to the proxy. */
export class ProxiedClient extends LDLongLivedClient {
  readonly #proxies: ProxiedFetch;

  constructor(sdkKey: string, options: LDOptions, proxies: ProxiedFetch) {
    super(sdkKey, { ...options, fetch: proxies.fetch });
    this.#proxies = proxies;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#proxies.close();
  }
}

