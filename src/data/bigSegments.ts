/**
 * Big segments (`unbounded` segments): their members live in a big-segment store that LaunchDarkly
 * (through Relay Proxy) fills, keyed by a hash of the context key, rather than in the segment.
 *
 * Evaluation is synchronous and a store read is not, so membership is fetched ahead: `prefetch`
 * evaluates as the client will and reads each membership that evaluation asks for, in its
 * order, into a per-context cache, so the store sees the queries LaunchDarkly's SDKs would
 * make; evaluations then read that cache. An evaluation that finds no cached
 * membership starts the read for next time and answers as if the store had failed:
 * `bigSegmentsStatus: 'STORE_ERROR'`, the segment's rules only. The store's sync time is read
 * every `statusPollInterval`: in the background on long-lived hosts (`ldedge`, `ldedge/node`,
 * `ldedge/lambda` start it), otherwise by `prefetch` when due.
 */
import { isContextError, toContext, type Context } from '../context.js';
import { Evaluator, type EvalResult, type FlagEvaluator } from '../evaluation/evaluator.js';
import type { PreparedFlag, PreparedSegment } from '../evaluation/prepare.js';
import { basicLogger, type LDLogger } from '../logging.js';
import type { LDBigSegmentsStatus, LDContext, LDEvaluationReason } from '../apiTypes.js';
import type { SegmentData } from '../wire.js';
import type { HeldData } from './dataSet.js';

/** Segment refs (`<segment key>.g<generation>`) a context is included in (true) or excluded from (false). */
export type BigSegmentMembership = Readonly<Record<string, boolean>>;

export interface BigSegmentStoreMetadata {
  /** When the store was last brought up to date (epoch ms); undefined when never. */
  readonly lastUpToDate: number | undefined;
}

/** Read access to a big-segment store. `ldedge/redis` and `ldedge/dynamodb` stores implement it. */
export interface BigSegmentStore {
  /** Membership of the context whose key hashes to `contextHash`; undefined when it has none. */
  getMembership(contextHash: string): Promise<BigSegmentMembership | undefined>;
  getMetadata(): Promise<BigSegmentStoreMetadata | undefined>;
  close?(): Promise<void>;
}

export interface LDBigSegmentsOptions {
  /** Context keys whose membership is kept; default 1000. */
  contextCacheSize?: number;
  /** Seconds a context's membership is kept before `prefetch` reads it again; default 5. */
  contextCacheTime?: number;
  /** Seconds between reads of the store's sync time by `prefetch`; default 5. */
  statusPollInterval?: number;
  /** Seconds after the last sync at which the store counts as stale; default 120. */
  staleAfter?: number;
  logger?: LDLogger;
}

/** The store's health as last read: undefined before the first read. */
export interface LDBigSegmentStoreStatus {
  readonly available: boolean;
  readonly stale: boolean;
}

interface CachedMembership {
  readonly membership: BigSegmentMembership | undefined;
  readonly failed: boolean;
  readonly at: number;
}

/** The context key's hash as the store is keyed: base64 of its SHA-256. */
export async function bigSegmentContextHash(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Membership from include and exclude lists; an include wins over an exclude of the same ref. */
export function membershipFrom(
  included: readonly string[],
  excluded: readonly string[],
): BigSegmentMembership | undefined {
  if (included.length === 0 && excluded.length === 0) return undefined;
  const membership: Record<string, boolean> = {};
  for (const ref of excluded) membership[ref] = false;
  for (const ref of included) membership[ref] = true;
  return membership;
}

/** The most serious status seen in one evaluation wins, as in LaunchDarkly's SDKs. */
const SEVERITY: Record<LDBigSegmentsStatus, number> = { HEALTHY: 1, STALE: 2, STORE_ERROR: 3, NOT_CONFIGURED: 4 };

const seconds = (value: number | undefined, fallback: number) =>
  (typeof value === 'number' && value > 0 ? value : fallback) * 1000;

/** Big segments over one store: pass it as the client's `bigSegments` option. */
export class LDBigSegments {
  readonly #store: BigSegmentStore;
  readonly #logger: LDLogger;
  readonly #cache = new Map<string, CachedMembership>();
  readonly #cacheSize: number;
  readonly #cacheTimeMs: number;
  readonly #pollMs: number;
  readonly #staleMs: number;
  #status: LDBigSegmentStoreStatus | undefined;
  #statusAt = -Infinity;
  #statusRead: Promise<void> | undefined;
  #poller: ReturnType<typeof setInterval> | undefined;
  /** The evaluator over the client's latest data, which `prefetch` evaluates with. */
  #evaluator: BigSegmentEvaluator | undefined;
  /** While `prefetch` evaluates: keys already read by it, and the first key found to need a read. */
  #probe: { readonly read: Set<string>; missing: string | undefined } | undefined;
  readonly #warned = new Set<string>();

  constructor(store: BigSegmentStore, options: LDBigSegmentsOptions = {}) {
    if (typeof store?.getMembership !== 'function' || typeof store.getMetadata !== 'function') {
      throw new TypeError('bigSegments needs a store with getMembership() and getMetadata()');
    }
    this.#store = store;
    this.#logger = options.logger ?? basicLogger();
    this.#cacheSize = Math.max(1, Math.floor(options.contextCacheSize ?? 1000));
    this.#cacheTimeMs = seconds(options.contextCacheTime, 5);
    this.#pollMs = seconds(options.statusPollInterval, 5);
    this.#staleMs = seconds(options.staleAfter, 120);
  }

  /** The store's health as last read: undefined before the first read. */
  status(): LDBigSegmentStoreStatus | undefined {
    return this.#status;
  }

  /** The store's health: as last read, or as the first read (started now if need be) finds it. */
  async currentStatus(): Promise<LDBigSegmentStoreStatus> {
    if (this.#status === undefined) await this.#readStatus(Date.now());
    return this.#status!;
  }

  /**
   * Reads the store's sync time now and every `statusPollInterval` until `close`, so that
   * `status()` stays current without a `prefetch`. Long-lived clients call this themselves.
   */
  startStatusPolling(): void {
    if (this.#poller !== undefined) return;
    const poll = () => void this.#readStatus(Date.now());
    poll();
    this.#poller = setInterval(poll, this.#pollMs);
    // On Node, polling alone does not keep the process running.
    (this.#poller as { unref?: () => void }).unref?.();
  }

  /**
   * Reads what evaluating `flagKey` (or, without it, every flag) for `context` needs from the
   * store: each membership not cached or older than `contextCacheTime`, one key at a time in the
   * order the evaluation asks for them, and the store's sync time when it is due. Never rejects:
   * a failed read makes evaluations report `STORE_ERROR`.
   */
  async prefetch(context: LDContext, flagKey?: string): Promise<void> {
    const status = this.#readStatus(Date.now());
    const valid = toContext(context);
    const evaluator = this.#evaluator;
    if (!isContextError(valid) && evaluator !== undefined) {
      const probe = { read: new Set<string>(), missing: undefined as string | undefined };
      for (;;) {
        // The probe is seen by lookups only during this synchronous evaluation.
        this.#probe = probe;
        probe.missing = undefined;
        try {
          evaluator.probe(valid, flagKey, () => probe.missing !== undefined);
        } finally {
          this.#probe = undefined;
        }
        const key = probe.missing;
        if (key === undefined) break;
        probe.read.add(key);
        await this.#readMembership(key);
      }
    }
    await status;
  }

  /** Stops status polling and closes the store. */
  async close(): Promise<void> {
    clearInterval(this.#poller);
    this.#poller = undefined;
    await this.#store.close?.();
  }

  /** @internal The client's evaluator over `data`, when this is its `bigSegments` option. */
  evaluator(data: HeldData): FlagEvaluator {
    return (this.#evaluator = new BigSegmentEvaluator(data, this));
  }

  /** @internal The membership cached for a key, and the status it gives. */
  lookup(key: string): [BigSegmentMembership | undefined, LDBigSegmentsStatus] {
    const cached = this.#cache.get(key);
    const probe = this.#probe;
    if (probe !== undefined) {
      // `prefetch` is evaluating: note what needs a read, and answer quietly.
      const due = cached === undefined || cached.failed || Date.now() - cached.at >= this.#cacheTimeMs;
      if (due && !probe.read.has(key)) probe.missing ??= key;
      return [cached?.membership, 'STORE_ERROR'];
    }
    if (cached === undefined) {
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.#logger.warn(
          `big segments: membership of context key "${key}" was not prefetched; evaluating as STORE_ERROR (await bigSegments.prefetch(context) before evaluating)`,
        );
      }
      this.#readMembership(key);
      return [undefined, 'STORE_ERROR'];
    }
    const status = this.#status;
    if (cached.failed || !status?.available) return [cached.membership, 'STORE_ERROR'];
    return [cached.membership, status.stale ? 'STALE' : 'HEALTHY'];
  }

  async #readMembership(key: string): Promise<void> {
    let entry: CachedMembership;
    try {
      const membership = await this.#store.getMembership(await bigSegmentContextHash(key));
      entry = { membership: membership ?? undefined, failed: false, at: Date.now() };
    } catch (err) {
      this.#logger.error(`big segments: membership query failed: ${(err as Error).message}`);
      entry = { membership: undefined, failed: true, at: Date.now() };
    }
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    this.#warned.delete(key);
    // A Map keeps insertion order: the first key is the one cached longest ago.
    while (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }

  #readStatus(now: number): Promise<void> {
    if (now - this.#statusAt < this.#pollMs) return Promise.resolve();
    return (this.#statusRead ??= this.#store
      .getMetadata()
      .then(
        (metadata) => {
          const last = metadata?.lastUpToDate;
          return { available: true, stale: last === undefined || Date.now() - last > this.#staleMs };
        },
        (err: Error) => {
          this.#logger.error(`big segments: status query failed: ${err.message}`);
          return { available: false, stale: false };
        },
      )
      .then((status) => {
        this.#status = status;
        this.#statusAt = Date.now();
        this.#statusRead = undefined;
      }));
  }
}

/** Creates the `bigSegments` option over a big-segment store. */
export function bigSegments(store: BigSegmentStore, options?: LDBigSegmentsOptions): LDBigSegments {
  return new LDBigSegments(store, options);
}

const NO_TARGETS: PreparedSegment['included'] = [];


/**
 * Evaluates as the engine does, with each unbounded segment standing in, for the context being
 * evaluated, as an ordinary segment: its big-segment membership becomes an include or exclude
 * target for the context's key, and its rules follow as LaunchDarkly's SDKs apply them.
 */
class BigSegmentEvaluator implements FlagEvaluator {
  readonly #inner: Evaluator;
  readonly #data: HeldData;
  readonly #big: LDBigSegments;
  #context: Context | undefined;
  #status: LDBigSegmentsStatus | undefined;
  /** Membership read in this evaluation, by context key. */
  readonly #seen = new Map<string, BigSegmentMembership | undefined>();

  constructor(data: HeldData, big: LDBigSegments) {
    this.#data = data;
    this.#big = big;
    this.#inner = new Evaluator({ flag: (key) => data.flag(key), segment: (key) => this.#segment(key) });
  }

  evaluate(flag: PreparedFlag, context: Context, withPrerequisites?: boolean): EvalResult {
    this.#context = context;
    this.#status = undefined;
    this.#seen.clear();
    const result = this.#inner.evaluate(flag, context, withPrerequisites);
    const status = this.#status;
    if (status === undefined) return result;
    const reason = { ...result.reason, bigSegmentsStatus: status } as LDEvaluationReason;
    return { ...result, reason };
  }

  /** Evaluates `flagKey`, or each flag until `enough()`, for `prefetch` to see what is read. */
  probe(context: Context, flagKey: string | undefined, enough: () => boolean): void {
    for (const key of flagKey === undefined ? this.#data.flagKeys() : [flagKey]) {
      let flag: PreparedFlag | undefined;
      try {
        flag = this.#data.flag(key);
      } catch {
        continue; // malformed: evaluating it reads nothing
      }
      if (flag !== undefined) this.evaluate(flag, context);
      if (enough()) return;
    }
  }

  #note(status: LDBigSegmentsStatus): void {
    if (this.#status === undefined || SEVERITY[status] > SEVERITY[this.#status]) this.#status = status;
  }

  #segment(key: string): PreparedSegment | undefined {
    const segment = this.#data.segment(key);
    if (segment?.unbounded === undefined) return segment;
    const raw = this.#data.item('segments', key) as SegmentData;
    const kind = typeof raw.unboundedContextKind === 'string' ? raw.unboundedContextKind : 'user';
    const member = this.#context!.forKind(kind);
    // No key of the segment's kind: not a member, and the store is not asked.
    if (member === undefined) return { key, included: NO_TARGETS, excluded: NO_TARGETS, rules: [], unbounded: undefined };
    if (!raw.generation) {
      this.#note('NOT_CONFIGURED');
      return { key, included: NO_TARGETS, excluded: NO_TARGETS, rules: [], unbounded: undefined };
    }
    let membership: BigSegmentMembership | undefined;
    if (this.#seen.has(member.key)) membership = this.#seen.get(member.key);
    else {
      const [found, status] = this.#big.lookup(member.key);
      this.#note(status);
      this.#seen.set(member.key, (membership = found));
    }
    const included = membership?.[`${key}.g${raw.generation}`];
    const target = [{ contextKind: kind, keys: new Set([member.key]), variation: 0 }];
    return {
      key,
      // A definite answer from the store decides; otherwise the rules do (targets do not apply).
      included: included === true ? target : NO_TARGETS,
      excluded: included === false ? target : NO_TARGETS,
      rules: segment.rules,
      unbounded: undefined,
    };
  }
}
