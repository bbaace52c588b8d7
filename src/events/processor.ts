/**
 * The analytics event pipeline: evaluations, custom events and identifies become LaunchDarkly's
 * index, feature, debug, custom, identify and summary events, queued until `flush()` sends them.
 *
 * Recording is synchronous and cheap: an evaluation that needs no full event only bumps a summary
 * counter and checks the context-key LRU. Events keep a reference to their context, as
 * LaunchDarkly's SDKs do; it is redacted and serialized when a flush sends them, once per context
 * object per flush however many events name it.
 */
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import type { EvalResult } from '../evaluation/evaluator.js';
import type { PreparedFlag } from '../evaluation/prepare.js';
import type { LDLogger } from '../logging.js';
import type { LDFlagValue } from '../types.js';
import { ContextDeduplicator } from './contextDedup.js';
import { ContextRedactor, copyJson, hasAnonymousMember, withoutAnonymous, type JsonObject } from './redaction.js';
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
  /** Compress payloads when the default sender is used. Default `config.enableEventCompression`. */
  gzip?: boolean;
  /** Wait before the one retry of a failed payload. Default 1000 ms. */
  retryDelayMs?: number;
  /** Clock for creation dates, debug windows and the context-key window. Default `Date.now`. */
  now?: () => number;
  /**
   * Remove every attribute of anonymous contexts in feature and custom events, as LaunchDarkly's
   * server-side SDKs do (index, identify and debug events keep them). Default true.
   */
  redactAnonymous?: boolean;
}

const DEFAULT_RETRY_DELAY_MS = 1000;

/** A queued event: its own fields, and the context to redact and add when it is sent. */
interface QueuedEvent {
  readonly fields: JsonObject;
  readonly context?: Context;
  /** Feature and custom events strip anonymous contexts to their key and kind. */
  readonly anonymousRedacted?: boolean;
}

/** Serialized contexts of one flush, keyed by the caller's context object; anonymous-stripped apart. */
interface ContextCache {
  readonly plain: Map<object, string>;
  readonly stripped: Map<object, string>;
}

function sampled(ratio: number): boolean {
  const n = Math.trunc(ratio);
  return n === 1 || (n > 1 && Math.floor(Math.random() * n) === 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The object that identifies a context across calls: the caller's own attributes object. */
function identity(context: Context): object {
  return context.isMulti ? context : context.attributes;
}

export class EventProcessor {
  private queue: QueuedEvent[] = [];
  private readonly summarizer = new Summarizer();
  private readonly dedup: ContextDeduplicator;
  private readonly redactor: ContextRedactor;
  private readonly sender: LDEventSender;
  private readonly logger: LDLogger;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly omitAnonymous: boolean;
  private readonly redactAnonymous: boolean;
  private readonly retryDelayMs: number;
  private readonly now: () => number;
  private readonly flushIntervalMs: number | undefined;

  private dropped = 0;
  /** True from the first event dropped for capacity until one fits again: one warning each. */
  private overflowing = false;
  /** Set by a `stop` outcome: nothing is recorded or sent any more. */
  private stopped = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The latest `Date` LaunchDarkly's event service reported, for the debug window. */
  private lastServerTime = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: EventsConfig, options: EventProcessorOptions = {}) {
    this.logger = config.logger;
    this.now = options.now ?? Date.now;
    this.capacity = Math.max(1, Math.floor(config.capacity));
    this.batchSize = Math.max(1, Math.floor(config.eventBatchSize));
    this.omitAnonymous = config.omitAnonymousContexts;
    this.redactAnonymous = options.redactAnonymous ?? true;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.redactor = new ContextRedactor(config.allAttributesPrivate, config.privateAttributes);
    this.dedup = new ContextDeduplicator(
      Math.max(1, Math.floor(config.contextKeysCapacity)),
      config.contextKeysFlushIntervalMs,
      this.now(),
    );
    this.sender =
      options.sender ??
      config.eventSender ??
      new DefaultEventSender(config.http, config.eventsUri, { gzip: options.gzip ?? config.enableEventCompression });
    this.flushIntervalMs = config.flushIntervalMs;
    // A periodic flush only when asked for: serverless hosts flush explicitly.
    this.schedule();
  }

  /** Events dropped because the queue was full, since this processor was made. */
  get droppedEvents(): number {
    return this.dropped;
  }

  /**
   * Records one flag evaluation (or a prerequisite's, with `prereqOf`). Called on every
   * evaluation: without a full event to make, it allocates nothing beyond the context's key.
   */
  recordEvaluation(
    flagKey: string,
    context: Context,
    result: EvalResult,
    defaultValue: LDFlagValue,
    withReason: boolean,
    prereqOf?: PreparedFlag,
  ): void {
    if (this.closed || this.stopped) return;
    try {
      const now = this.now();
      const flag = result.flag;
      const variation = result.variationIndex;
      // The caller got its default whenever no variation was chosen.
      const value = variation === undefined ? defaultValue : result.value;
      if (flag === undefined) {
        this.summarizer.count(flagKey, undefined, undefined, value, defaultValue, context, now);
      } else if (!flag.excludeFromSummaries) {
        this.summarizer.count(flagKey, flag.version, variation, value, defaultValue, context, now);
      }
      this.noticeContext(context, now);
      if (flag === undefined) return;
      const full = flag.trackEvents || result.trackReason;
      const until = flag.debugEventsUntilDate;
      const debug = until !== undefined && until > now && until > this.lastServerTime;
      if (!full && !debug) return;
      // A flag's samplingRatio keeps one in that many of its feature and debug events (0: none).
      const ratio = flag.samplingRatio;
      if (ratio !== undefined && !sampled(ratio)) return;

      const fields: JsonObject = { kind: 'feature', creationDate: now, key: flagKey, version: flag.version };
      if (ratio !== undefined && ratio !== 1) fields.samplingRatio = ratio;
      if (variation !== undefined) fields.variation = variation;
      fields.value = variation === undefined ? (copyJson(value) ?? null) : value;
      fields.default = copyJson(defaultValue) ?? null;
      if (withReason || result.trackReason) fields.reason = result.reason;
      if (prereqOf !== undefined) fields.prereqOf = prereqOf.key;
      if (full) this.enqueue({ fields, context, anonymousRedacted: this.redactAnonymous });
      if (debug) this.enqueue({ fields: { ...fields, kind: 'debug' }, context });
    } catch (err) {
      this.logger.warn(`could not record an analytics event for flag "${flagKey}": ${String(err)}`);
    }
  }

  /** Records a `track` call. */
  recordCustom(key: string, context: Context, data: LDFlagValue | undefined, metricValue: number | undefined): void {
    if (this.closed || this.stopped) return;
    try {
      const now = this.now();
      this.noticeContext(context, now);
      const fields: JsonObject = { kind: 'custom', creationDate: now, key };
      const copied = data === null ? undefined : copyJson(data);
      if (copied !== undefined) fields.data = copied;
      if (typeof metricValue === 'number' && Number.isFinite(metricValue)) fields.metricValue = metricValue;
      this.enqueue({ fields, context, anonymousRedacted: this.redactAnonymous });
    } catch (err) {
      this.logger.warn(`could not record the custom event "${key}": ${String(err)}`);
    }
  }

  /** Records an `identify` call; the context counts as described, so no index event follows. */
  recordIdentify(context: Context): void {
    if (this.closed || this.stopped) return;
    try {
      const now = this.now();
      const target = this.omitAnonymous ? withoutAnonymous(context) : context;
      if (target === undefined) return;
      this.dedup.notice(target.canonicalKey, now);
      this.enqueue({ fields: { kind: 'identify', creationDate: now }, context: target });
    } catch (err) {
      this.logger.warn(`could not record an identify event: ${String(err)}`);
    }
  }

  /**
   * Sends everything queued, in payloads of at most `eventBatchSize` events, and waits for those
   * and any deliveries already under way. Never rejects.
   */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const events = this.queue;
    this.queue = [];
    const summary = this.summarizer.take();
    if (summary !== undefined) events.push({ fields: summary as unknown as JsonObject });
    const contexts: ContextCache = { plain: new Map(), stripped: new Map() };
    // A flush waits only for the payloads it sent itself: in workerd a request must not wait
    // on I/O another request started. close() waits for everything.
    const own: Promise<void>[] = [];
    for (let i = 0; i < events.length; i += this.batchSize) {
      const batch = i === 0 && events.length <= this.batchSize ? events : events.slice(i, i + this.batchSize);
      const delivery: Promise<void> = this.deliver(batch, contexts)
        .catch((err: unknown) => this.logger.warn(`analytics event delivery failed: ${String(err)}`))
        .finally(() => {
          this.inFlight.delete(delivery);
        });
      this.inFlight.add(delivery);
      own.push(delivery);
    }
    return own.length === 0 ? Promise.resolve() : Promise.all(own).then(() => undefined);
  }

  /** Settles when every delivery under way, whoever started it, has ended. */
  private settleAll(): Promise<void> {
    return Promise.all(this.inFlight).then(() => undefined);
  }

  /** Flushes, then stops the periodic flush; events recorded after this are ignored. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      this.cancelTimer();
      this.closing = this.flush().then(() => this.settleAll());
    }
    return this.closing;
  }

  /** Marks the context as seen, queueing its index event when it is new in this window. */
  private noticeContext(context: Context, now: number): void {
    const target = this.omitAnonymous ? withoutAnonymous(context) : context;
    if (target !== undefined && this.dedup.notice(target.canonicalKey, now)) {
      this.enqueue({ fields: { kind: 'index', creationDate: now }, context: target });
    }
  }

  /** The batch as a JSON array; an event that cannot be serialized is left out rather than all. */
  private serialize(events: readonly QueuedEvent[], contexts: ContextCache): { body: string; count: number } {
    const parts: string[] = [];
    for (const event of events) {
      try {
        let json = JSON.stringify(event.fields);
        if (event.context !== undefined) json = `${json.slice(0, -1)},"context":${this.contextJson(event, contexts)}}`;
        parts.push(json);
      } catch (err) {
        this.logger.warn(`an analytics event could not be serialized and was dropped: ${String(err)}`);
      }
    }
    return { body: `[${parts.join(',')}]`, count: parts.length };
  }

  /** The redacted context of an event as JSON, made once per context object and flush. */
  private contextJson(event: QueuedEvent, contexts: ContextCache): string {
    const context = event.context as Context;
    const stripAnonymous = event.anonymousRedacted === true && hasAnonymousMember(context);
    const cache = stripAnonymous ? contexts.stripped : contexts.plain;
    const key = identity(context);
    let json = cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(this.redactor.redact(context, stripAnonymous));
      cache.set(key, json);
    }
    return json;
  }

  private enqueue(event: QueuedEvent): void {
    if (this.queue.length >= this.capacity) {
      this.dropped++;
      if (!this.overflowing) {
        this.overflowing = true;
        this.logger.warn(
          `the analytics event queue is full (capacity ${this.capacity}); events are dropped until the next flush. Raise "capacity" or flush more often.`,
        );
      }
      return;
    }
    this.overflowing = false;
    this.queue.push(event);
  }

  private async deliver(events: readonly QueuedEvent[], contexts: ContextCache): Promise<void> {
    const { body, count } = this.serialize(events, contexts);
    if (count === 0) return;
    const payloadId = crypto.randomUUID();
    let result = await this.attempt(body, payloadId);
    if (result.outcome === 'retry' && !this.stopped) {
      this.logger.debug(`sending ${count} analytics events failed (${describe(result)}); retrying once`);
      await sleep(this.retryDelayMs);
      if (this.stopped) return;
      result = await this.attempt(body, payloadId);
    }
    switch (result.outcome) {
      case 'success':
        return;
      case 'stop':
        this.stopDelivery(result);
        return;
      default:
        if (!this.stopped) this.logger.warn(`${count} analytics events were dropped: ${describe(result)}`);
    }
  }

  /** One attempt; a sender that throws or answers nonsense counts as a failure worth a retry. */
  private async attempt(body: string, payloadId: string): Promise<EventSendResult> {
    let result: EventSendResult;
    try {
      result = await this.sender.sendEvents(body, payloadId);
    } catch (err) {
      return { outcome: 'retry', error: String(err) };
    }
    if (typeof result !== 'object' || result === null) return { outcome: 'retry', error: 'no result from the event sender' };
    const serverTime = result.serverTime;
    if (typeof serverTime === 'number' && Number.isFinite(serverTime)) this.lastServerTime = serverTime;
    const outcome = result.outcome;
    if (outcome !== 'success' && outcome !== 'retry' && outcome !== 'drop' && outcome !== 'stop') {
      return { outcome: 'retry', status: result.status, error: `unknown outcome ${String(outcome)}` };
    }
    return result;
  }

  private stopDelivery(result: EventSendResult): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.summarizer.clear();
    this.cancelTimer();
    const auth = result.status === 401 || result.status === 403 ? ' (is the SDK key valid?)' : '';
    this.logger.error(`analytics events will no longer be sent: LaunchDarkly refused them with ${describe(result)}${auth}`);
  }

  private schedule(): void {
    const interval = this.flushIntervalMs;
    if (interval === undefined || this.closed || this.stopped) return;
    const timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(() => this.schedule());
    }, interval);
    // Where the host can, let a pending flush not keep the process alive.
    const unref = (timer as unknown as { unref?: unknown }).unref;
    if (typeof unref === 'function') unref.call(timer);
    this.timer = timer;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function describe(result: EventSendResult): string {
  return result.error ?? (result.status !== undefined ? `HTTP ${result.status}` : 'unknown error');
}
