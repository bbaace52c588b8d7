/**
 * ldedge/sync: keeps a KV entry, an Edge Config item or a persistent store current with your
 * LaunchDarkly environment, in the shape LaunchDarkly's edge integrations and Relay Proxy write,
 * so that ldedge's readers (and LaunchDarkly's edge SDKs) can read it.
 *
 * ```ts
 * import { cloudflareKv, syncOnce } from 'ldedge/sync';
 *
 * export default {
 *   async scheduled(_controller, env, ctx) {
 *     ctx.waitUntil(syncOnce({ sdkKey: env.LD_SDK_KEY, clientSideId: env.LD_CLIENT_SIDE_ID, target: cloudflareKv(env.LD_KV) }));
 *   },
 * };
 * ```
 *
 * Web-standard only, like the engine: it runs in Workers, Deno, Lambda and Node alike. The edge
 * entry points do not import it.
 */
export { createSync, syncOnce, type Sync, type SyncResult } from './poll.js';
export { startRelay, type Relay, type RelayOptions } from './relay.js';
export { SyncAuthError, type SyncOptions } from './options.js';
export { syncHandler } from './handler.js';
export { versionKey, type SyncEntry, type SyncTarget } from './types.js';
export { versionedKvLoader } from './reader.js';
export { cloudflareKv, type KVNamespaceWriter } from './targets/cloudflareKv.js';
export { cloudflareKvApi, type CloudflareKvApiOptions } from './targets/cloudflareKvApi.js';
export { vercelEdgeConfig, type EdgeConfigOptions } from './targets/edgeConfig.js';
export { denoKv, type DenoKvKey, type DenoKvWriter } from './targets/denoKv.js';
export { persistentStore, type PersistentDataStore } from './targets/persistentStore.js';
