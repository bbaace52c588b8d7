/**
 * Web proxies for Node hosts (`ldedge/node`, `ldedge/lambda`, and `ldedge` under Node): the
 * standard `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` variables, or a `proxy` option, as
 * LaunchDarkly's server SDKs read them.
 *
 * Proxying uses undici's `ProxyAgent` with undici's own `fetch`: Node's global fetch is a bundled
 * undici whose version need not match the package's, and an agent from another version is not
 * guaranteed to work with it. undici is loaded only when a request actually goes through a proxy.
 */
import type { Dispatcher } from 'undici';
import type { LDLogger } from '../../src/index.js';

export type Env = Record<string, string | undefined>;

/** The lower-case spelling first, as curl reads them; an empty value counts as unset. */
function envVar(env: Env, name: string): string | undefined {
  for (const spelling of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[spelling]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * The proxy's URL, or undefined (with a warning) when it is not an http(s) URL. `proxy.corp:3128`
 * is as common in these variables as `http://proxy.corp:3128`.
 */
function proxyUrl(value: unknown, what: string, logger: LDLogger): string | undefined {
  if (typeof value === 'string') {
    const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    try {
      const url = new URL(text);
      if (url.protocol === 'http:' || url.protocol === 'https:') return text;
    } catch {
      // reported below
    }
  }
  logger.warn(`${what} must be an http(s) proxy URL such as http://proxy.corp:3128; requests go direct`);
  return undefined;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * Whether `NO_PROXY` exempts a URL: entries separated by commas or spaces, each `*`, a host name
 * (matching it and its subdomains; a leading `.` or `*.` is allowed) or an IP address, optionally
 * with `:port`. CIDR ranges are not supported.
 */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || defaultPort(target.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      entryPort = bracketed[2];
    } else {
      const withPort = /^([^:]+):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1];
        entryPort = withPort[2];
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** Chooses a proxy per request URL; undefined means a direct connection. */
export type ProxyChooser = (target: URL) => string | undefined;

/** The proxy choice the `proxy` option (or, without it, the environment) describes. */
export function proxyChooser(proxy: unknown, logger: LDLogger, env: Env): ProxyChooser | undefined {
  if (proxy === false) return undefined;
  if (proxy !== undefined) {
    const fixed = proxyUrl(proxy, 'option "proxy"', logger);
    return fixed === undefined ? undefined : () => fixed;
  }
  const httpsValue = envVar(env, 'https_proxy');
  const httpValue = envVar(env, 'http_proxy');
  const https = httpsValue === undefined ? undefined : proxyUrl(httpsValue, 'HTTPS_PROXY', logger);
  const http = httpValue === undefined ? undefined : proxyUrl(httpValue, 'HTTP_PROXY', logger);
  if (https === undefined && http === undefined) return undefined;
  const noProxy = envVar(env, 'no_proxy');
  return (target) => {
    const chosen = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    return chosen === undefined || bypassesProxy(target, noProxy) ? undefined : chosen;
  };
}

const loadUndici = () => import('undici');

/**
 * A `fetch` for the engine, which calls it with a URL string and an init, sending each request
 * through the proxy `choose` names for it; `close()` frees the proxy connections.
 */
export function proxiedFetch(choose: ProxyChooser): { fetch: typeof fetch; close(): Promise<void> } {
  const agents = new Map<string, Dispatcher>();
  let undici: ReturnType<typeof loadUndici> | undefined;
  const proxied = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const proxy = choose(new URL(url));
    if (proxy === undefined) return fetch(input, init);
    const lib = await (undici ??= loadUndici());
    let agent = agents.get(proxy);
    if (agent === undefined) {
      // No tunnel for plain http through an http proxy: proxies commonly refuse CONNECT to ports
      // other than 443, and a Relay Proxy is often plain http.
      agent = new lib.ProxyAgent({ uri: proxy, proxyTunnel: false });
      agents.set(proxy, agent);
    }
    const response = await lib.fetch(url, { ...init, dispatcher: agent } as Parameters<typeof lib.fetch>[1]);
    return response as unknown as Response;
  };
  return {
    fetch: proxied,
    close: async () => {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((agent) => agent.destroy().catch(() => {})));
    },
  };
}

/** The proxied `fetch` a client should use, or undefined for direct connections. */
export type ProxiedFetch = ReturnType<typeof proxiedFetch>;

/**
 * The proxied `fetch` for a client's options: none when the options give their own `fetch` (a
 * `proxy` option is then ignored, with a warning) or when neither `proxy` nor the environment names one.
 */
export function proxyFor(proxy: string | false | undefined, customFetch: unknown, logger: LDLogger, env: Env): ProxiedFetch | undefined {
  if (customFetch !== undefined) {
    if (proxy) logger.warn('option "proxy" is ignored because "fetch" is given');
    return undefined;
  }
  const choose = proxyChooser(proxy, logger, env);
  return choose === undefined ? undefined : proxiedFetch(choose);
}
