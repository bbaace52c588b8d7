/**
 * Vercel Edge Config through Vercel's REST API: one `PATCH /v1/edge-config/{id}/items` upserts
 * the entry and its version together, and `GET /v1/edge-config/{id}/item/{key}` reads the version.
 */
import { versionKey, type SyncTarget } from '../types.js';
import { apiFailure } from './http.js';

export interface EdgeConfigOptions {
  /** `ecfg_…`. */
  edgeConfigId: string;
  /** A Vercel access token that may write the Edge Config. */
  apiToken: string;
  /** The team that owns the Edge Config, when it is not the token's personal account. */
  teamId?: string;
  /** Default `https://api.vercel.com`. */
  apiUri?: string;
  fetch?: typeof fetch;
}

export function vercelEdgeConfig(options: EdgeConfigOptions): SyncTarget {
  const id = options?.edgeConfigId;
  if (typeof id !== 'string' || !/^ecfg_\w+$/.test(id)) {
    throw new TypeError(`vercelEdgeConfig needs option "edgeConfigId" ("ecfg_…"), got ${JSON.stringify(id)}`);
  }
  if (typeof options.apiToken !== 'string' || options.apiToken === '') throw new TypeError('vercelEdgeConfig needs option "apiToken"');
  if (options.teamId !== undefined && (typeof options.teamId !== 'string' || options.teamId === '')) {
    throw new TypeError('option "teamId" must be a non-empty string');
  }
  const root = `${(options.apiUri ?? 'https://api.vercel.com').replace(/\/+$/, '')}/v1/edge-config/${id}`;
  const query = options.teamId ? `?teamId=${encodeURIComponent(options.teamId)}` : '';
  const givenFetch = options.fetch ?? globalThis.fetch;
  const auth = { Authorization: `Bearer ${options.apiToken}` };

  return {
    name: 'edge-config',
    needsKey: true,
    async readVersion(key) {
      const response = await givenFetch(`${root}/item/${encodeURIComponent(versionKey(key))}${query}`, { headers: auth });
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) throw await apiFailure(response, `Edge Config read of "${versionKey(key)}"`);
      const item = (await response.json()) as { value?: unknown };
      return typeof item.value === 'string' ? item.value : undefined;
    },
    async write({ key, data, version }) {
      if (!/^[\w-]+$/.test(key)) throw new Error(`Edge Config keys are letters, digits, "_" and "-" only; "${key}" is not one`);
      // Edge Config holds JSON values: the data set is stored as an object, as LaunchDarkly's
      // Vercel integration stores it. Both items in one request, which Vercel applies together.
      const response = await givenFetch(`${root}/items${query}`, {
        method: 'PATCH',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          items: [
            { operation: 'upsert', key, value: data },
            { operation: 'upsert', key: versionKey(key), value: version },
          ],
        }),
      });
      if (!response.ok) throw await apiFailure(response, `Edge Config write of "${key}"`);
      await response.body?.cancel();
    },
  };
}
