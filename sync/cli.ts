/**
 * `ldedge sync`: the sync as a command, for Node and Deno alike. The host gives the arguments,
 * the environment, where lines go and a signal to stop; nothing here touches the host itself,
 * so that `bin/ldedge.ts` stays a few lines for each.
 */
import { basicLogger, type LDLogger, type LDLogLevel } from '../src/logging.js';
import { SyncAuthError, type SyncOptions } from './options.js';
import { createSync } from './poll.js';
import { startRelay } from './relay.js';
import { cloudflareKvApi } from './targets/cloudflareKvApi.js';
import { denoKv, type DenoKvWriter } from './targets/denoKv.js';
import { vercelEdgeConfig } from './targets/edgeConfig.js';
import { persistentStore, type PersistentDataStore } from './targets/persistentStore.js';
import type { SyncTarget } from './types.js';

export const USAGE = `Usage: ldedge sync --to <target> [--stream | --interval <seconds>] [options]

Copies your LaunchDarkly environment's flags to <target>, in the layout LaunchDarkly's
integrations write, once (the default), every <seconds>, or continuously from the stream.

Targets:
  redis://host:port        Redis, in Relay Proxy's layout (--prefix, default "launchdarkly")
  deno-kv[:<path>]         Deno KV (run under Deno, with --unstable-kv)
  cloudflare-kv            Cloudflare KV through its REST API: --account-id, --namespace-id,
                           and the token in CLOUDFLARE_API_TOKEN
  edge-config              Vercel Edge Config through its REST API: --edge-config-id,
                           [--team-id], and the token in VERCEL_API_TOKEN

Options:
  --client-side-id <id>    Names the entry LD-Env-<id> (or LD_CLIENT_SIDE_ID); KV targets need it
  --key <key>              The entry's key, instead of LD-Env-<client-side id>
  --filter <key>           Only the flags of this payload filter
  --stream                 Stay connected to LaunchDarkly's stream and write each change
  --interval <seconds>     Poll again every <seconds> (at least 5)
  --base-uri <url>         Polling endpoint (default https://sdk.launchdarkly.com)
  --stream-uri <url>       Streaming endpoint (default https://stream.launchdarkly.com)
  --log-level <level>      debug, info (default), warn, error or none

The server-side SDK key is read from LD_SDK_KEY, never from the command line.`;

export interface CliHost {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes output asked for (the usage text). */
  out(line: string): void;
  /** Writes one line of diagnostics. */
  error(line: string): void;
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM). */
  readonly signal: AbortSignal;
  /** `Deno.openKv`, when running under Deno. */
  openDenoKv?: (path?: string) => Promise<DenoKvWriter & { close(): void }>;
  /** Loads `ldedge/redis`; the default imports it beside this module. */
  loadRedis?: () => Promise<RedisModule>;
}

interface RedisModule {
  redisStore(options: { url: string; prefix?: string; logger?: LDLogger }): PersistentDataStore & { close(): Promise<void> };
}

/** A mistake in the command line: said in one line, with the usage hint. */
class UsageError extends Error {}

const FLAGS = new Set(['stream', 'help']);
const VALUES = new Set([
  'to', 'client-side-id', 'key', 'filter', 'interval', 'base-uri', 'stream-uri', 'log-level',
  'prefix', 'account-id', 'namespace-id', 'edge-config-id', 'team-id',
]);

function parse(args: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const [, name, inline] = match;
    if (FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options.set(name, 'true');
    } else if (VALUES.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(`unknown option "--${name}"`);
    }
  }
  return options;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`${what} is needed`);
  return value;
}

/** The target `--to` names, and what to close once done. */
async function openTarget(to: string, options: Map<string, string>, host: CliHost, logger: LDLogger): Promise<[SyncTarget, () => Promise<void>]> {
  const none = async () => {};
  if (/^rediss?:\/\//.test(to)) {
    const loadRedis = host.loadRedis ?? (() => import(REDIS_MODULE) as Promise<RedisModule>);
    const store = (await loadRedis()).redisStore({ url: to, prefix: options.get('prefix'), logger });
    return [persistentStore(store), () => store.close()];
  }
  if (to === 'deno-kv' || to.startsWith('deno-kv:')) {
    if (host.openDenoKv === undefined) throw new UsageError('--to deno-kv needs Deno: deno run --unstable-kv npm:ldedge sync …');
    const kv = await host.openDenoKv(to.slice('deno-kv:'.length) || undefined);
    return [denoKv(kv), async () => kv.close()];
  }
  if (to === 'cloudflare-kv') {
    const target = cloudflareKvApi({
      accountId: required(options.get('account-id'), '--account-id'),
      namespaceId: required(options.get('namespace-id'), '--namespace-id'),
      apiToken: required(host.env.CLOUDFLARE_API_TOKEN, 'CLOUDFLARE_API_TOKEN'),
      apiUri: host.env.CLOUDFLARE_API_URI || undefined,
    });
    return [target, none];
  }
  if (to === 'edge-config') {
    const target = vercelEdgeConfig({
      edgeConfigId: required(options.get('edge-config-id'), '--edge-config-id'),
      teamId: options.get('team-id'),
      apiToken: required(host.env.VERCEL_API_TOKEN, 'VERCEL_API_TOKEN'),
      apiUri: host.env.VERCEL_API_URI || undefined,
    });
    return [target, none];
  }
  throw new UsageError(`unknown target "${to}"; give redis://…, deno-kv[:<path>], cloudflare-kv or edge-config`);
}

// A variable, so that bundlers leave the optional `redis` dependency out unless it is used.
const REDIS_MODULE = '../stores/redis/index.js';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Runs `ldedge <args>`; resolves to the exit code. */
export async function runCli(host: CliHost): Promise<number> {
  const [command, ...rest] = host.args;
  if (command === undefined) {
    host.error(USAGE);
    return 2;
  }
  if (command === '--help' || command === 'help') {
    host.out(USAGE);
    return 0;
  }
  let close = async () => {};
  try {
    if (command !== 'sync') throw new UsageError(`unknown command "${command}"`);
    const options = parse(rest);
    if (options.has('help')) {
      host.out(USAGE);
      return 0;
    }
    const level = (options.get('log-level') ?? 'info') as LDLogLevel;
    if (!['debug', 'info', 'warn', 'error', 'none'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn, error or none`);
    const logger = basicLogger(level, '[ldedge sync]');
    const sdkKey = required(host.env.LD_SDK_KEY, 'the SDK key in LD_SDK_KEY');
    const interval = options.has('interval') ? Number(options.get('interval')) : undefined;
    if (interval !== undefined && !(interval >= 5)) throw new UsageError('--interval must be a number of seconds, at least 5');
    if (interval !== undefined && options.has('stream')) throw new UsageError('give --stream or --interval, not both');
    const [target, closeTarget] = await openTarget(required(options.get('to'), '--to <target>'), options, host, logger);
    close = closeTarget;
    const syncOptions: SyncOptions = {
      sdkKey,
      target,
      clientSideId: options.get('client-side-id') ?? (host.env.LD_CLIENT_SIDE_ID || undefined),
      key: options.get('key'),
      payloadFilterKey: options.get('filter'),
      baseUri: options.get('base-uri'),
      streamUri: options.get('stream-uri'),
      logger,
    };

    if (options.has('stream')) {
      const relay = startRelay(syncOptions);
      const stop = () => relay.close();
      host.signal.addEventListener('abort', stop);
      try {
        await relay.ready;
        logger.info(`relaying flag changes to ${target.name}`);
        await relay.done;
      } finally {
        host.signal.removeEventListener('abort', stop);
        relay.close();
      }
      return 0;
    }

    const sync = createSync(syncOptions);
    if (interval === undefined) {
      await sync.run();
      return 0;
    }
    while (!host.signal.aborted) {
      try {
        await sync.run();
      } catch (err) {
        if (err instanceof SyncAuthError) throw err;
        // Kept running: the next poll retries, and the target still holds the previous entry.
        logger.error((err as Error).message);
      }
      await sleep(interval * 1000, host.signal);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      host.error(`ldedge ${command}: ${err.message} (see ldedge sync --help)`);
      return 2;
    }
    // One line: a refused key, a bad option, a target that cannot be written.
    host.error(`ldedge ${command}: ${(err as Error).message}`);
    return 1;
  } finally {
    await close().catch(() => {});
  }
}
