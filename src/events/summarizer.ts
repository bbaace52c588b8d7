/**
 * Summary counters: how often each flag gave each value, per flag version and variation, between
 * flushes. Every evaluation passes through here, so counting only appends to a log and allocates
 * nothing (but the copy of an object default, once per flag); the log is tallied when the summary
 * is taken, or when it grows long, where the per-flag lookups run together.
 */
import type { Context } from '../context.js';
import type { EvalResult } from '../evaluation/evaluator.js';
import { copyJson, type JsonObject } from './redaction.js';

interface Counter {
  value: unknown;
  count: number;
  /** Undefined when the default was served. */
  variation: number | undefined;
  /** Undefined for a flag that does not exist. */
  version: number | undefined;
  unknown: true | undefined;
}

interface Feature {
  readonly default: unknown;
  readonly contextKinds: string[];
  readonly counters: Counter[];
}

/** Entries per logged evaluation: flag key, result, default, context. */
const STRIDE = 4;
/** Evaluations logged before they are tallied: bounds what the log keeps alive. */
const LOG_LIMIT = 5000 * STRIDE;

function counterOf(result: EvalResult, copiedDefault: unknown): Counter {
  const variation = result.variationIndex;
  const version = result.flag?.version;
  const value = variation === undefined ? copiedDefault : result.value;
  // Undefined members are left out of the JSON.
  return { value, count: 1, variation, version, unknown: version === undefined ? true : undefined };
}

function addKinds(kinds: string[], context: Context): void {
  if (!context.isMulti) {
    if (!kinds.includes(context.kind)) kinds.push(context.kind);
  } else {
    for (const member of context.contexts) if (!kinds.includes(member.kind)) kinds.push(member.kind);
  }
}

export class Summarizer {
  /** Replaced at each tally by a fresh array sized as the last: storing new objects in an old one costs more. */
  #log: unknown[] = [];
  #logged = 0;
  #copies = new Map<string, unknown>();
  /** What was tallied since the last `take`; no prototype, so any flag key is a plain property. */
  #features: Record<string, Feature> = Object.create(null);
  /** Counts were made since the last `date`. */
  #undated = false;
  #start = Infinity;
  #end = -Infinity;

  /** Counts one evaluation: `result` tells the flag (if any), variation and value. */
  count(flagKey: string, result: EvalResult, defaultValue: unknown, context: Context): void {
    // Copied because the caller may change its default object later; an object only once per flag
    // and tally, as the first default counted is the one summarized.
    let copied: unknown;
    if (typeof defaultValue !== 'object' || defaultValue === null) copied = copyJson(defaultValue) ?? null;
    else if ((copied = this.#copies.get(flagKey)) === undefined) {
      this.#copies.set(flagKey, (copied = copyJson(defaultValue) ?? null));
    }
    const log = this.#log;
    const at = this.#logged;
    log[at] = flagKey;
    log[at + 1] = result;
    log[at + 2] = copied;
    log[at + 3] = context;
    this.#logged = at + STRIDE;
    this.#undated = true;
    if (at + STRIDE >= LOG_LIMIT) this.#tally();
  }

  /** Gives the evaluations counted since the last call the time `now`, for the summary's range. */
  date(now: number): void {
    if (!this.#undated) return;
    this.#undated = false;
    if (now < this.#start) this.#start = now;
    if (now > this.#end) this.#end = now;
  }

  /** The summary event of everything counted since the last call, or undefined if nothing was. */
  take(): JsonObject | undefined {
    if (this.#start === Infinity) return undefined;
    this.#tally();
    const event = { kind: 'summary', startDate: this.#start, endDate: this.#end, features: this.#features };
    this.#features = Object.create(null);
    this.#start = Infinity;
    this.#end = -Infinity;
    return event;
  }

  #tally(): void {
    const log = this.#log;
    const features = this.#features;
    for (let i = 0; i < this.#logged; i += STRIDE) {
      const key = log[i] as string;
      const result = log[i + 1] as EvalResult;
      const copied = log[i + 2];
      const context = log[i + 3] as Context;
      const feature = features[key];
      if (feature === undefined) {
        // The first evaluation counted gives the default. Arrays start at the size most keep.
        const contextKinds = context.isMulti ? context.contexts.map((member) => member.kind) : [context.kind];
        features[key] = { default: copied, contextKinds, counters: [counterOf(result, copied)] };
        continue;
      }
      const variation = result.variationIndex;
      const version = result.flag?.version;
      const counter = feature.counters.find((c) => c.variation === variation && c.version === version);
      if (counter !== undefined) counter.count++;
      else feature.counters.push(counterOf(result, copied));
      addKinds(feature.contextKinds, context);
    }
    this.#log = new Array(this.#logged);
    this.#logged = 0;
    this.#copies = new Map();
  }
}
