/**
 * What the Redis, DynamoDB and Consul stores share: the names Relay Proxy's layout gives each kind,
 * checking the items read back before the client sees them, and the retry loop of their
 * version-respecting writes. Each store only speaks its server's protocol.
 *
 * Reads are not cached here: the client reads a whole data set at most once per `cacheTtl` and
 * evaluates from what it holds, so it is the caching layer over the store.
 */
import { basicLogger, type LDLogger } from '../logging.js';
import { isRecord } from '../util/json.js';
import type { DataKind } from './types.js';

/** Each kind's name in the layout: `<prefix>:features`, `<prefix>/segments/<key>`, … */
export const NAMESPACES: Readonly<Record<DataKind, string>> = { flags: 'features', segments: 'segments' };

/** The options every store takes. */
export interface StoreOptions {
  /** Prepended to every key, as in Relay Proxy's configuration. */
  prefix?: string;
  /** Where a store reports items it could not use; defaults to the console at info. */
  logger?: LDLogger;
}

/** Data to write in full, as `PersistentDataStore.init` gets it: item JSON by kind and key. */
export type StoreData = Readonly<Record<DataKind, Readonly<Record<string, string>>>>;

/** The version of an item's JSON text, or undefined when the text is not an item. */
export function itemVersion(json: string): number | undefined {
  try {
    const item: unknown = JSON.parse(json);
    return isRecord(item) && typeof item.version === 'number' ? item.version : undefined;
  } catch {
    return undefined;
  }
}

/** Why stored text is not an item, or undefined when it is one. */
function problem(json: unknown, key: string): string | undefined {
  if (typeof json !== 'string') return `is not text`;
  let item: unknown;
  try {
    item = JSON.parse(json);
  } catch (err) {
    return `is not valid JSON (${(err as Error).message})`;
  }
  if (!isRecord(item)) return 'is not a JSON object';
  if (typeof item.version !== 'number') return 'has no numeric "version"';
  if (item.key !== undefined && item.key !== key) return `has "key" ${JSON.stringify(item.key)}`;
  return undefined;
}

/**
 * The items that can be used, each still as its text. One that cannot (not JSON, not an object,
 * no version) is left out with an error line naming where it is, so one bad entry costs that item
 * rather than the whole data set.
 */
export function usableItems(
  raw: Readonly<Record<string, unknown>>,
  kind: DataKind,
  where: (key: string) => string,
  logger: LDLogger,
): Record<string, string> {
  const items: Record<string, string> = {};
  for (const key of Object.keys(raw)) {
    const why = problem(raw[key], key);
    if (why === undefined) items[key] = raw[key] as string;
    else logger.error(`persistent store: ${kind} item "${key}" at ${where(key)} ${why}; it is ignored`);
  }
  return items;
}

/** The store's logger: the one given, or the console. */
export function storeLogger(options: StoreOptions | undefined): LDLogger {
  return options?.logger ?? basicLogger();
}

/**
 * Runs an optimistic write until it is not raced: `attempt` resolves to false when another writer
 * changed the item between its read and its write. Gives up with an Error after `limit` tries.
 */
export async function retryWhileRaced(what: string, attempt: () => Promise<boolean>, limit = 10): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await attempt()) return;
  }
  throw new Error(`${what} was changed by another writer ${limit} times in a row; not written`);
}

/** Rejects an option that is not a string. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`option "${name}" must be a string, got ${typeof value}`);
  }
  return value;
}
