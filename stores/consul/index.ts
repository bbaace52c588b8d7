/**
 * ldedge/consul: a persistent store in the Consul layout of LaunchDarkly's Relay Proxy and server
 * SDKs, over Consul's KV HTTP API with `fetch`, so it runs in every host.
 *
 * Layout, with the default prefix `launchdarkly`:
 *   <prefix>/features/<key>, <prefix>/segments/<key>   the item's JSON
 *   <prefix>/$inited                                   present once a full data set was written
 * LaunchDarkly defines no big-segment layout for Consul, so this store has none.
 */
import type { PersistentDataStore } from '../../src/data/persistentStore.js';
import {
  NAMESPACES,
  optionalString,
  retryWhileRaced,
  storeLogger,
  usableItems,
  type StoreData,
  type StoreOptions,
} from '../../src/data/storeLayout.js';
import { itemVersion } from '../../src/data/storeLayout.js';
import type { DataKind } from '../../src/data/types.js';

export interface ConsulStoreOptions extends StoreOptions {
  /** The agent's HTTP address; default `http://127.0.0.1:8500`. */
  url?: string;
  /** An ACL token, sent as `X-Consul-Token`. */
  token?: string;
  /** The `fetch` requests go through; defaults to the global one. */
  fetch?: typeof fetch;
}

export interface ConsulStore extends PersistentDataStore {
  init(data: StoreData): Promise<void>;
  upsert(kind: DataKind, key: string, version: number, json: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_CONSUL_PREFIX = 'launchdarkly';

/** One entry of a KV read; `Value` is base64, or null for an empty value. */
interface KVEntry {
  Key: string;
  Value: string | null;
  ModifyIndex: number;
}

/** Consul accepts at most 64 operations in one transaction. */
const TXN_LIMIT = 64;

function fromBase64(value: string | null): string {
  if (value === null) return '';
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A store over a Consul agent's KV API in Relay Proxy's layout. */
export function consulStore(options: ConsulStoreOptions = {}): ConsulStore {
  const logger = storeLogger(options);
  const prefix = optionalString(options.prefix, 'prefix') || DEFAULT_CONSUL_PREFIX;
  const base = (optionalString(options.url, 'url') ?? 'http://127.0.0.1:8500').replace(/\/+$/, '');
  const token = optionalString(options.token, 'token');
  const send = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  const headers: Record<string, string> = token === undefined ? {} : { 'X-Consul-Token': token };
  const folder = (kind: DataKind) => `${prefix}/${NAMESPACES[kind]}/`;
  const path = (key: string) => key.split('/').map(encodeURIComponent).join('/');

  async function request(method: string, route: string, body?: string): Promise<Response> {
    const response = await send(`${base}/v1/${route}`, { method, headers, body });
    if (!response.ok && response.status !== 404) {
      throw new Error(`Consul ${method} /v1/${route.split('?')[0]} answered ${response.status}: ${(await response.text()).trim()}`);
    }
    return response;
  }

  /** Entries under a key (or the key alone); empty when there are none. */
  async function read(key: string, recurse: boolean): Promise<KVEntry[]> {
    const response = await request('GET', `kv/${path(key)}${recurse ? '?recurse=true' : ''}`);
    if (response.status === 404) return [];
    const entries = (await response.json()) as KVEntry[];
    if (!Array.isArray(entries)) throw new Error(`Consul KV read of "${key}" did not give a list`);
    return entries;
  }

  async function transaction(operations: object[]): Promise<void> {
    for (let i = 0; i < operations.length; i += TXN_LIMIT) {
      const response = await request('PUT', 'txn', JSON.stringify(operations.slice(i, i + TXN_LIMIT)));
      if (response.status === 404) throw new Error('Consul has no transaction endpoint at /v1/txn');
    }
  }

  const where = (kind: DataKind) => (key: string) => `Consul key "${folder(kind)}${key}"`;

  return {
    async getAll(kind) {
      const raw: Record<string, unknown> = {};
      for (const entry of await read(folder(kind), true)) {
        raw[entry.Key.slice(folder(kind).length)] = fromBase64(entry.Value);
      }
      return usableItems(raw, kind, where(kind), logger);
    },
    async get(kind, key) {
      const [entry] = await read(folder(kind) + key, false);
      if (entry === undefined) return undefined;
      return usableItems({ [key]: fromBase64(entry.Value) }, kind, where(kind), logger)[key];
    },
    async isInitialized() {
      return (await read(`${prefix}/$inited`, false)).length > 0;
    },
    async init(data: StoreData) {
      // Set every item, delete keys no longer present, and set `$inited` last, as Relay does.
      const operations: object[] = [];
      for (const kind of ['flags', 'segments'] as const) {
        for (const old of await read(folder(kind), true)) {
          if (!Object.hasOwn(data[kind], old.Key.slice(folder(kind).length))) {
            operations.push({ KV: { Verb: 'delete', Key: old.Key } });
          }
        }
        for (const [key, json] of Object.entries(data[kind])) {
          operations.push({ KV: { Verb: 'set', Key: folder(kind) + key, Value: toBase64(json) } });
        }
      }
      operations.push({ KV: { Verb: 'set', Key: `${prefix}/$inited`, Value: toBase64('') } });
      await transaction(operations);
    },
    async upsert(kind, key, version, json) {
      const full = folder(kind) + key;
      // Check-and-set on the index read: a writer in between makes Consul refuse, and we look again.
      await retryWhileRaced(`Consul key "${full}"`, async () => {
        const [held] = await read(full, false);
        if (held !== undefined) {
          const heldVersion = itemVersion(fromBase64(held.Value));
          if (heldVersion !== undefined && heldVersion >= version) return true;
        }
        const response = await request('PUT', `kv/${path(full)}?cas=${held?.ModifyIndex ?? 0}`, json);
        return (await response.text()).trim() === 'true';
      });
    },
    async close() {
      // Nothing is held open: every request is a fetch of its own.
    },
  };
}
