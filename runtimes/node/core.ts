/**
 * `ldedge` as Node loads it (the package's `node` export condition): the engine's entry point as it
 * is, except that `init` sends requests through the web proxy `HTTPS_PROXY` / `HTTP_PROXY` (less
 * `NO_PROXY`) name, as `ldedge/node` does. Other hosts (Workers, Vercel Edge, Deno, which reads
 * those variables itself) load the engine's entry point unchanged.
 */
import { basicLogger, init as initEngine, type LDLongLivedClient, type LDOptions } from '../../src/index.js';
import { ProxiedClient } from './proxiedClient.js';
import { proxyFor } from './proxy.js';

export * from '../../src/index.js';

/**
 * Creates a client. With an inline `payload` it is ready at once; otherwise await
 * `waitForInitialization()` before evaluating.
 */
export function init(sdkKey: string, options: LDOptions = {}): LDLongLivedClient {
  const proxies = proxyFor(undefined, options.fetch, options.logger ?? basicLogger(), process.env);
  return proxies === undefined ? initEngine(sdkKey, options) : new ProxiedClient(sdkKey, options, proxies);
}
