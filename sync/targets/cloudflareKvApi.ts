/**
 * Cloudflare Workers KV through Cloudflare's REST API, for syncing from outside Cloudflare (a CLI,
 * a Lambda, a CI job): `PUT` and `GET` of `/accounts/{account}/storage/kv/namespaces/{namespace}/values/{key}`.
 */
import { versionKey, type SyncTarget } from '../types.js';
import { apiFailure } from './http.js';

export interface CloudflareKvApiOptions {
  accountId: string;
  namespaceId: string;
  /** An API token with the "Workers KV Storage Write" permission. */
  apiToken: string;
  /** Default `https://api.cloudflare.com/client/v4`. */
  apiUri?: string;
  fetch?: typeof fetch;
}

function required(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`cloudflareKvApi needs option "${name}" (a non-empty string)`);
  return value;
}

export function cloudflareKvApi(options: CloudflareKvApiOptions): SyncTarget {
  const account = encodeURIComponent(required(options?.accountId, 'accountId'));
  const namespace = encodeURIComponent(required(options.namespaceId, 'namespaceId'));
  const token = required(options.apiToken, 'apiToken');
  const root = (options.apiUri ?? 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
  const givenFetch = options.fetch ?? globalThis.fetch;
  const url = (key: string) => `${root}/accounts/${account}/storage/kv/namespaces/${namespace}/values/${encodeURIComponent(key)}`;
  const auth = { Authorization: `Bearer ${token}` };

  async function put(key: string, value: string): Promise<void> {
    const response = await givenFetch(url(key), {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/octet-stream' },
      body: value,
    });
    if (!response.ok) throw await apiFailure(response, `Cloudflare KV write of "${key}"`);
    await response.body?.cancel();
  }

  return {
    name: 'cloudflare-kv-api',
    needsKey: true,
    // Cloudflare KV takes at most one write a second to the same key.
    minWriteInterval: 1,
    async readVersion(key) {
      const response = await givenFetch(url(versionKey(key)), { headers: auth });
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) throw await apiFailure(response, `Cloudflare KV read of "${versionKey(key)}"`);
      return response.text();
    },
    async write({ key, text, version }) {
      // The entry first: a version never names data that is not there.
      await put(key, text);
      await put(versionKey(key), version);
    },
  };
}
