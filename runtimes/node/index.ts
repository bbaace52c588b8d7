/**
 * Node.js servers and other long-lived processes: streaming and a periodic flush by default, and
 * requests routed through a web proxy from `HTTPS_PROXY` / `HTTP_PROXY` (less `NO_PROXY`) or the
 * `proxy` option, as LaunchDarkly's server SDKs do (see proxy.ts).
 */
import { basicLogger, init as initEngine, type LDLongLivedClient, type LDOptions } from '../../src/index.js';
import { ProxiedClient } from './proxiedClient.js';
import { proxyFor } from './proxy.js';

export * from '../../src/index.js';
export { bypassesProxy } from './proxy.js';

export interface NodeOptions extends LDOptions {
  /**
   * A web proxy for every request, e.g. `http://user:pass@proxy.corp:8080`; it overrides the
   * environment and applies to http and https targets alike. `false` ignores the environment.
   * Unset: `https_proxy`/`HTTPS_PROXY` for https targets, `http_proxy`/`HTTP_PROXY` for http
   * ones, skipping hosts listed in `no_proxy`/`NO_PROXY`.
   */
  proxy?: string | false;
}

/**
 * Creates a client for a long-lived process: streaming (unless `stream: false` or a
 * `pollInterval` is given) and a flush every 5 s (unless `flushInterval` is given). Await
 * `waitForInitialization()` before evaluating and `close()` on shutdown.
 */
export function init(sdkKey: string, options: NodeOptions = {}): LDLongLivedClient {
  const { proxy, ...engineOptions } = options;
  const defaults: LDOptions = { stream: engineOptions.pollInterval === undefined, flushInterval: 5 };
  const merged: LDOptions = { ...defaults };
  for (const [name, value] of Object.entries(engineOptions)) {
    if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
  }
  const proxies = proxyFor(proxy, merged.fetch, merged.logger ?? basicLogger(), process.env);
  return proxies === undefined ? initEngine(sdkKey, merged) : new ProxiedClient(sdkKey, merged, proxies);
}
