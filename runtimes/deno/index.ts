/**
 * ldedge for Deno and Deno Deploy.
 *
 * Flags come from Deno KV (`denoKvStore`, filled by `putDenoKvPayload` from a sync job) or from
 * one poll of LaunchDarkly. Create the client once per process: it keeps the flags it loaded
 * until `cacheTtl` runs out, so requests within the TTL cost no KV read at all.
 */
import type { LDClient } from '../../src/lean.js';
import { withFreshFlags } from '../shared/handler.js';

export * from '../../src/lean.js';

/** A key part Deno KV accepts. */
export type DenoKvKeyPart = string | number | bigint | boolean | Uint8Array;
export type DenoKvKey = readonly DenoKvKeyPart[];

/** The part of `Deno.Kv` that reading flags needs; a `Deno.Kv` satisfies it. */
export interface DenoKvReader {
  get(key: DenoKvKey): Promise<{ value: unknown }>;
  list(selector: { prefix: DenoKvKey }): AsyncIterable<{ value: unknown }>;
}

/** The part of `Deno.Kv` that writing flags needs. */
export interface DenoKvWriter extends DenoKvReader {
  atomic(): DenoKvAtomic;
}

export interface DenoKvAtomic {
  set(key: DenoKvKey, value: unknown): DenoKvAtomic;
  delete(key: DenoKvKey): DenoKvAtomic;
  commit(): Promise<{ ok: boolean }>;
}

/**
 * What `putDenoKvPayload` stores under the key when the payload is too big for one value (Deno KV
 * caps a value at 64 KiB): the chunks live under `[...prefix, key, id, i]`.
 */
interface ChunkHead {
  ldedgeChunks: number;
  id: string;
}

function isChunkHead(value: unknown): value is ChunkHead {
  return typeof (value as ChunkHead | null)?.ldedgeChunks === 'number' && typeof (value as ChunkHead).id === 'string';
}

/**
 * Adapts a `Deno.Kv` to the engine's `kvStore` option: `get(key)` reads `[...prefix, key]`. The
 * value may be the `/sdk/latest-all` body as JSON text or as an object, or the chunks
 * `putDenoKvPayload` writes.
 */
export function denoKvStore(kv: DenoKvReader, prefix: DenoKvKey = []): { get(key: string): Promise<unknown> } {
  return {
    async get(key) {
      const { value } = await kv.get([...prefix, key]);
      if (!isChunkHead(value)) return value;
      const parts: string[] = [];
      for await (const entry of kv.list({ prefix: [...prefix, key, value.id] })) parts.push(entry.value as string);
      if (parts.length !== value.ldedgeChunks) {
        // A writer replaced the chunks mid-read; the client keeps its flags and reads again after the TTL.
        throw new Error(`Deno KV entry "${key}" has ${parts.length} of ${value.ldedgeChunks} chunks; it is being rewritten`);
      }
      return parts.join('');
    },
  };
}

// 30000 UTF-16 units serialise to at most 60000 bytes, under Deno KV's 64 KiB value limit.
const CHUNK_CHARS = 30000;
// Deno KV refuses an atomic write over 800 KiB; 12 chunks stay under it.
const CHUNKS_PER_COMMIT = 12;

async function commit(op: DenoKvAtomic): Promise<void> {
  if (!(await op.commit()).ok) throw new Error('Deno KV write was not committed');
}

/** Applies `step` for each chunk index below `count`, in atomic writes Deno KV accepts. */
async function commitChunks(
  kv: DenoKvWriter,
  count: number,
  step: (op: DenoKvAtomic, i: number) => DenoKvAtomic,
): Promise<void> {
  for (let first = 0; first < count; first += CHUNKS_PER_COMMIT) {
    let op = kv.atomic();
    for (let i = first; i < Math.min(count, first + CHUNKS_PER_COMMIT); i++) op = step(op, i);
    await commit(op);
  }
}

/**
 * Writes a `/sdk/latest-all` body (JSON text or object) under `[...prefix, key]` for
 * `denoKvStore` to read, splitting it into chunks when it is over Deno KV's 64 KiB value limit.
 * Call it from a sync job, e.g. `Deno.cron`, with what LaunchDarkly's `/sdk/latest-all` returns.
 */
export async function putDenoKvPayload(
  kv: DenoKvWriter,
  key: string,
  payload: string | object,
  prefix: DenoKvKey = [],
): Promise<void> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  JSON.parse(text); // refuse to store what no reader could parse
  const headKey = [...prefix, key];
  const { value: old } = await kv.get(headKey);
  if (text.length <= CHUNK_CHARS) {
    await commit(kv.atomic().set(headKey, text));
  } else {
    const id = crypto.randomUUID();
    const count = Math.ceil(text.length / CHUNK_CHARS);
    await commitChunks(kv, count, (op, i) => op.set([...headKey, id, i], text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS)));
    // The head goes last, so a reader never sees it before all its chunks.
    await commit(kv.atomic().set(headKey, { ldedgeChunks: count, id } satisfies ChunkHead));
  }
  if (isChunkHead(old)) await commitChunks(kv, old.ldedgeChunks, (op, i) => op.delete([...headKey, old.id, i]));
}

export interface HandlerOptions {
  /** Seconds to wait for flags before the handler runs anyway (evaluating to defaults); default 5. */
  timeout?: number;
  /** Flush events after each response; default true. Turn off when `flushInterval` is set. */
  flush?: boolean;
}

/**
 * Wraps a `Deno.serve` handler so that flags are loaded (or refreshed past `cacheTtl`) before it
 * runs. Its events are flushed once it has produced the response, without holding the response
 * back: Deno.serve has no `waitUntil`, but a serving process runs pending work to completion.
 */
export function withLaunchDarkly<Info = unknown>(
  client: LDClient,
  handler: (request: Request, client: LDClient, info: Info) => Response | Promise<Response>,
  options: HandlerOptions = {},
): (request: Request, info?: Info) => Promise<Response> {
  return (request, info) =>
    withFreshFlags(
      client,
      options,
      () => handler(request, client, info as Info),
      // flush() never rejects, so leaving it unawaited cannot raise an unhandled rejection.
      () => {
        if (options.flush !== false) void client.flush();
      },
    );
}
