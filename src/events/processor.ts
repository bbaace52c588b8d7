/**
 * The analytics event pipeline: evaluations, custom events and identifies become LaunchDarkly's
 * index, feature, debug, custom, identify and summary events, queued until `flush()` sends them.
 *
 * Recording is synchronous and cheap: an evaluation is only logged, with a shared reading of the
 * clock; the log becomes summary counts and events later (see `recordEvaluation`). Events keep a
 * reference to their context, as LaunchDarkly's SDKs do; it is redacted when a flush sends them,
 * once per context object per flush however many events name it, and each payload is serialized
 * in one piece.
 */
import type { Config } from '../validateOptions.js';
import type { Context } from '../context.js';
import type { EvalResult } from '../evaluation/evaluator.js';
import type { PreparedFlag } from '../evaluation/prepare.js';
import type { LDLogger } from '../logging.js';
import type { LDFlagValue } from '../apiTypes.js';
import { ContextDeduplicator } from './contextDedup.js';
import { ContextRedactor, copyJson, hasAnonymousMember, withoutAnonymous, type JsonObject } from './redaction.js';
import { authHint } from '../http.js';
import { DefaultEventSender, type EventSendResult, type LDEventSender } from './sender.js';
import { Summarizer } from './summarizer.js';

/** The parts of the configuration the event pipeline uses. */
export type EventsConfig = Pick<
  Config,
  | 'eventsUri'
  | 'capacity'
  | 'eventBatchSize'
  | 'flushIntervalMs'
  | 'allAttributesPrivate'
  | 'privateAttributes'
  | 'contextKeysCapacity'
  | 'contextKeysFlushIntervalMs'
  | 'omitAnonymousContexts'
  | 'enableEventCompression'
  | 'eventSender'
  | 'logger'
  | 'http'
>;

export interface EventProcessorOptions {
  /** Where payloads go; defaults to `config.eventSender`, else a `DefaultEventSender`. */
  sender?: LDEventSender;
  /** Wait before the one retry of a failed payload. Default 1000 ms. */
  retryDelayMs?: number;
  /**
   * Clock for creation dates, debug windows and the context-key window, read at every record.
   * Default `Date.now`, read once per synchronous stretch of records (see `#clock`).
   */
  now?: () => number;
}

/**
 * An event's JSON fields (undefined ones are left out). Its `context` is the caller's until the
 * event is sent, when it is replaced by its redacted form in place: the event keeps its shape.
 */
interface QueuedEvent {
  [field: string]: unknown;
  context?: Context | JsonObject;
}

/**
 * A context's redacted form; `redactAnonymous` for feature and custom events, which leave out the
 * attributes of anonymous members.
 */
type Redacted = (context: Context, redactAnonymous: boolean) => JsonObject;

const OUTCOMES: readonly unknown[] = ['success', 'retry', 'drop', 'stop'];

/** Evaluations logged before they are digested: bounds what the log keeps alive. */
const LOG_LIMIT = 5000;

function describe(result: EventSendResult): string {
  return result.error ?? (result.status !== undefined ? `HTTP ${result.status}` : 'unknown error');
}

export class EventProcessor {
  // Evaluations logged and not yet digested (see `recordEvaluation`): entry i of each array is
  // the i-th, and `#flagKeys.length` how many there are. Parallel arrays of one type each cost
  // less to fill than an object per evaluation, and as little as one array read in strides.
  #flagKeys!: string[];
  #contexts!: Context[];
  #results!: EvalResult[];
  #defaults!: LDFlagValue[];
  #withReasons!: boolean[];
  /**
   * When they were made: pairs of an entry and the clock reading that applies from there on,
   * added only when the clock is read. Numbers only: stored unboxed.
   */
  #times!: number[];
  #queue: QueuedEvent[] = [];
  readonly #summarizer = new Summarizer();
  readonly #dedup: ContextDeduplicator;
  readonly #redactor: ContextRedactor;
  readonly #sender: LDEventSender;
  readonly #logger: LDLogger;
  /** Counts in it are whole numbers from 1. */
  readonly #config: EventsConfig;
  readonly #retryDelayMs: number;
  readonly #now: () => number;
  /** Records left that may reuse `#clockValue`; 0 when the clock must be read. */
  #clockUses = 0;
  #clockValue = 0;
  #clockExpiring = false;
  /** Made once: a closure made in `#clock` would cost every call a context object. */
  readonly #expireClock = (): void => {
    this.#clockUses = 0;
    this.#clockExpiring = false;
  };
  #dropped = 0;
  /** Set by the first event dropped for capacity, until the next flush: one warning each time. */
  #overflowing = false;
  /** Set by close() and by a `stop` outcome: nothing more is recorded. */
  #closed = false;
  /** Set by a `stop` outcome: nothing more is sent either. */
  #stopped = false;
  #closing: Promise<void> | undefined;
  /** The latest `Date` LaunchDarkly's event service reported, for the debug window. */
  #lastServerTime = 0;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: EventsConfig, options: EventProcessorOptions = {}) {
    this.#clearLog();
    this.#logger = config.logger;
    this.#now = options.now ?? Date.now;
    this.#config = config;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#redactor = new ContextRedactor(config.allAttributesPrivate, config.privateAttributes);
    this.#dedup = new ContextDeduplicator(
      config.contextKeysCapacity,
      config.contextKeysFlushIntervalMs,
      this.#now(),
    );
    this.#sender =
      options.sender ??
      config.eventSender ??
      new DefaultEventSender(config.http, config.eventsUri, config.enableEventCompression);
    // A periodic flush only when asked for: serverless hosts flush explicitly.
    this.#schedule();
  }

  /**
   * Events dropped since this processor was made: the queue was full, or an event's context
   * could not be read or serialized.
   */
  get droppedEvents(): number {
    // Evaluations still in the log have not been queued (or dropped) yet.
    this.#digest();
    return this.#dropped;
  }

  /**
   * Records one flag evaluation, and its prerequisites' (listed on `result`). Called on every
   * evaluation, so it only appends to a log and reads the clock; the log is turned into summary
   * counts and events later, in order, when it is long or at the next flush, track or identify.
   * Like the context, the default is kept by reference until then.
   */
  recordEvaluation(
    flagKey: string,
    context: Context,
    result: EvalResult,
    defaultValue: LDFlagValue,
    withReason: boolean,
  ): void {
    if (this.#closed) return;
    const at = this.#flagKeys.length;
    this.#flagKeys[at] = flagKey;
    this.#contexts[at] = context;
    this.#results[at] = result;
    this.#defaults[at] = defaultValue;
    this.#withReasons[at] = withReason;
    // Most records share the last reading (see `#clock`), so the log says only where a reading
    // starts: at a new one, and at the log's first record, whose reading track or identify may
    // have taken.
    if (this.#clockUses === 0 || at === 0) this.#times.push(at, this.#clock());
    else this.#clockUses--;
    if (at + 1 >= LOG_LIMIT) this.#digest();
  }

  /**
   * The time of a record. Reading the clock costs more than the rest of a record, so records made
   * in one synchronous stretch (a request's evaluations, typically) share one reading: it expires
   * at the next microtask, or after 256 records, so a reading is never older than the stretch.
   */
  #clock(): number {
    if (this.#clockUses > 0) {
      this.#clockUses--;
      return this.#clockValue;
    }
    // A clock of the caller's own is read every time.
    if (this.#now !== Date.now) return this.#now();
    if (!this.#clockExpiring) {
      this.#clockExpiring = true;
      queueMicrotask(this.#expireClock);
    }
    this.#clockUses = 255;
    return (this.#clockValue = this.#now());
  }

  /** Turns the logged evaluations into summary counts and events, in the order they were made. */
  #digest(): void {
    const times = this.#times;
    let reading = 0;
    let now = 0;
    // The length is read anew each time: an evaluation logged meanwhile (by a logger that
    // evaluates, say) is digested too.
    for (let i = 0; i < this.#flagKeys.length; i++) {
      while (reading < times.length && times[reading] <= i) {
        now = times[reading + 1];
        reading += 2;
      }
      this.#digestOne(
        this.#flagKeys[i],
        this.#contexts[i],
        this.#results[i],
        this.#defaults[i],
        this.#withReasons[i],
        undefined,
        now,
      );
    }
    this.#clearLog();
  }

  /** Empties the log into fresh arrays: storing into an old array costs more than into a new one. */
  #clearLog(): void {
    this.#flagKeys = [];
    this.#contexts = [];
    this.#results = [];
    this.#defaults = [];
    this.#withReasons = [];
    this.#times = [];
  }

  /** One evaluation's summary counts and events, after its prerequisites' (as they were made). */
  #digestOne(
    flagKey: string,
    context: Context,
    result: EvalResult,
    defaultValue: unknown,
    withReason: boolean,
    prereqOf: PreparedFlag | undefined,
    now: number,
  ): void {
    const flag = result.flag;
    const prerequisites = result.prerequisites;
    // A prerequisite's result always carries its flag; its caller gave no default. Its events carry
    // their reason when the caller asked for one, as LaunchDarkly's SDKs do.
    if (prerequisites !== undefined) {
      for (const prerequisite of prerequisites) {
        this.#digestOne(prerequisite.flag!.key, context, prerequisite, null, withReason, flag, now);
      }
    }
    if (flag === undefined || !flag.excludeFromSummaries) {
      this.#summarizer.count(flagKey, result, defaultValue, context, now);
    }
    const tracked = flag !== undefined && (flag.trackEvents || result.trackReason);
    const until = flag?.debugEventsUntilDate;
    // The flag that needed a prerequisite notices the context for both, unless this one makes an event.
    if (prereqOf !== undefined && !tracked && until === undefined) return;
    this.#noticeContext(context, now);
    const debug = until !== undefined && until > now && until > this.#lastServerTime;
    // A flag's samplingRatio keeps one in that many of its feature and debug events (0: none).
    const ratio = flag?.samplingRatio;
    const oneIn = Math.trunc(ratio ?? 1);
    if ((!tracked && !debug) || (oneIn !== 1 && !(oneIn > 1 && Math.random() * oneIn < 1))) return;
    const variation = result.variationIndex;
    // Copied because the caller's default may be an object it later changes.
    const copied = copyJson(defaultValue) ?? null;
    // One object of one shape: what stays undefined is left out of the JSON.
    const event: QueuedEvent = {
      kind: 'feature',
      creationDate: now,
      key: flagKey,
      version: flag!.version,
      samplingRatio: ratio === 1 ? undefined : ratio,
      variation,
      // The caller got its default whenever no variation was chosen.
      value: variation === undefined ? copied : result.value,
      default: copied,
      reason: withReason || result.trackReason ? result.reason : undefined,
      prereqOf: prereqOf?.key,
      context,
    };
    if (tracked) this.#enqueue(event);
    if (debug) this.#enqueue({ ...event, kind: 'debug' });
  }

  /** Records a `track` call; the client has already left out a `metricValue` that is not finite. */
  recordCustom(key: string, context: Context, data: LDFlagValue | undefined, metricValue: number | undefined): void {
    if (this.#closed) return;
    this.#digest();
    const now = this.#clock();
    this.#noticeContext(context, now);
    this.#enqueue({
      kind: 'custom',
      creationDate: now,
      key,
      // A null `data` is left out.
      data: copyJson(data ?? undefined),
      metricValue,
      context,
    });
  }

  /** Records an `identify` call; the context counts as described, so no index event follows. */
  recordIdentify(context: Context): void {
    if (this.#closed) return;
    this.#digest();
    this.#noticeContext(context, this.#clock(), 'identify');
  }

  /**
   * Sends everything queued, in one payload (as LaunchDarkly's SDKs do) or in payloads of at most
   * `eventBatchSize` events, and waits for those. Never rejects.
   */
  async flush(): Promise<void> {
    if (this.#stopped) return;
    this.#digest();
    const events = this.#queue;
    this.#queue = [];
    this.#overflowing = false;
    const summary = this.#summarizer.take();
    if (summary !== undefined) events.push(summary);
    // Per caller's context object: its redacted form, and the one without anonymous members' attributes.
    const cache = new Map<object, [JsonObject?, JsonObject?]>();
    const redacted: Redacted = (context, redactAnonymous) => {
      const strip = redactAnonymous && hasAnonymousMember(context);
      const id = context.attributes ?? context;
      let entry = cache.get(id);
      if (entry === undefined) cache.set(id, (entry = []));
      return (entry[+strip] ??= this.#redactor.redact(context, strip));
    };
    // A flush waits only for the payloads it sent itself: in workerd a request must not wait
    // on I/O another request started. close() waits for everything.
    const own: Promise<void>[] = [];
    // One request costs less than several, and a Worker may make only so many per invocation.
    const size = this.#config.eventBatchSize ?? events.length;
    for (let i = 0; i < events.length; i += size) {
      const delivery: Promise<void> = this.#deliver(events.slice(i, i + size), redacted)
        // Only a logger that throws gets here; flush must still not reject.
        .catch(() => {})
        .finally(() => this.#inFlight.delete(delivery));
      this.#inFlight.add(delivery);
      own.push(delivery);
    }
    await Promise.all(own);
  }

  /** Flushes, then waits for every delivery under way; events recorded after this are ignored. */
  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    return (this.#closing ??= this.flush()
      .then(() => Promise.all(this.#inFlight))
      .then(() => undefined));
  }

  /**
   * Marks the context as seen, queueing its index event when it is new in this window, or its
   * identify event in any case.
   */
  #noticeContext(context: Context, now: number, identify?: 'identify'): void {
    // As index and identify events describe it: undefined when there is nothing to.
    const target = this.#config.omitAnonymousContexts ? withoutAnonymous(context) : context;
    if (target !== undefined && (this.#dedup.notice(target, now) || identify)) {
      this.#enqueue({ kind: identify ?? 'index', creationDate: now, context: target });
    }
  }

  #enqueue(event: QueuedEvent): void {
    const capacity = this.#config.capacity;
    if (this.#queue.length < capacity) {
      this.#queue.push(event);
      return;
    }
    this.#dropped++;
    if (!this.#overflowing) {
      this.#overflowing = true;
      this.#logger.warn(
        `analytics event queue is full (capacity ${capacity}): dropping events until the next flush`,
      );
    }
  }

  /** Counts and logs one event left out of a payload, so the rest of the payload still goes. */
  #lost(why: string, err: unknown): false {
    this.#dropped++;
    this.#logger.warn(`dropped an analytics event ${why}: ${String(err)}`);
    return false;
  }

  async #deliver(queued: QueuedEvent[], redacted: Redacted): Promise<void> {
    // A context that throws when read (a getter, a proxy) loses its own event only.
    const events = queued.filter((event) => {
      const context = event.context as Context | undefined;
      try {
        // Feature and custom events leave out anonymous members' attributes.
        if (context) event.context = redacted(context, event.kind === 'feature' || event.kind === 'custom');
        return true;
      } catch (err) {
        return this.#lost('whose context could not be read', err);
      }
    });
    // One JSON.stringify for the whole payload: no text per event to copy again into the body.
    let body: string;
    let count = events.length;
    if (count === 0) return;
    try {
      body = JSON.stringify(events);
    } catch {
      // An event that cannot be serialized is left out rather than the whole batch.
      const kept = events.filter((event) => {
        try {
          return JSON.stringify(event) !== undefined;
        } catch (err) {
          return this.#lost('that cannot be serialized', err);
        }
      });
      if ((count = kept.length) === 0) return;
      body = JSON.stringify(kept);
    }
    const payloadId = crypto.randomUUID();
    let result = await this.#attempt(body, payloadId);
    if (result.outcome === 'retry' && !this.#stopped) {
      this.#logger.debug(`sending ${count} analytics events failed (${describe(result)}); retrying once`);
      await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
      if (this.#stopped) return;
      result = await this.#attempt(body, payloadId);
    }
    const outcome = result.outcome;
    if (outcome === 'success' || this.#stopped) return;
    if (outcome !== 'stop') {
      this.#logger.warn(`${count} analytics events were dropped: ${describe(result)}`);
      return;
    }
    // Refused for good (a bad SDK key, say): nothing more is recorded or sent.
    this.#stopped = this.#closed = true;
    this.#queue = [];
    this.#clearLog();
    this.#summarizer.take();
    clearTimeout(this.#timer);
    this.#logger.error(
      `analytics events will no longer be sent: LaunchDarkly answered ${describe(result)}${authHint(result.status)}`,
    );
  }

  /** One attempt; a sender that throws or answers nonsense counts as a failure worth a retry. */
  async #attempt(body: string, payloadId: string): Promise<EventSendResult> {
    try {
      const result = await this.#sender.sendEvents(body, payloadId);
      const outcome = result?.outcome;
      if (!OUTCOMES.includes(outcome)) throw new Error(`invalid event sender outcome ${String(outcome)}`);
      if (Number.isFinite(result.serverTime)) this.#lastServerTime = result.serverTime as number;
      return result;
    } catch (err) {
      return { outcome: 'retry', error: String(err) };
    }
  }

  #schedule(): void {
    const interval = this.#config.flushIntervalMs;
    if (interval === undefined || this.#closed) return;
    const timer = setTimeout(() => void this.flush().then(() => this.#schedule()), interval);
    // Where the host can, let a pending flush not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }
}
