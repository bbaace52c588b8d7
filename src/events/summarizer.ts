/**
 * Summary counters: how often each flag gave each value, per flag version and variation, between
 * flushes. Counting runs when the event processor digests its log of evaluations, in batches.
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

export class Summarizer {
  /** What was counted since the last `take`; no prototype, so any flag key is a plain property. */
  #features: Record<string, Feature> = Object.create(null);
  #start = Infinity;
  #end = -Infinity;

  /** Counts one evaluation made at `now`: `result` tells the flag (if any), variation and value. */
  count(flagKey: string, result: EvalResult, defaultValue: unknown, context: Context, now: number): void {
    if (now < this.#start) this.#start = now;
    if (now > this.#end) this.#end = now;
    const variation = result.variationIndex;
    const version = result.flag?.version;
    const feature = this.#features[flagKey];
    if (feature === undefined) {
      // The first evaluation counted gives the default. Arrays made with their elements hold just
      // those, where an empty one grows room for many on its first push: a flush counts hundreds of
      // flags once each.
      this.#features[flagKey] = {
        default: copyJson(defaultValue) ?? null,
        contextKinds: context.contexts.map((member) => member.kind),
        counters: [counter(result, defaultValue, variation, version)],
      };
      return;
    }
    const counters = feature.counters;
    let i = 0;
    while (i < counters.length && (counters[i].variation !== variation || counters[i].version !== version)) i++;
    if (i < counters.length) counters[i].count++;
    else counters.push(counter(result, defaultValue, variation, version));
    for (const member of context.contexts) {
      if (!feature.contextKinds.includes(member.kind)) feature.contextKinds.push(member.kind);
    }
  }

  /** The summary event of everything counted since the last call, or undefined if nothing was. */
  take(): JsonObject | undefined {
    if (this.#start === Infinity) return undefined;
    const event = { kind: 'summary', startDate: this.#start, endDate: this.#end, features: this.#features };
    this.#features = Object.create(null);
    this.#start = Infinity;
    this.#end = -Infinity;
    return event;
  }
}

/** A new counter of one; undefined members are left out of the JSON. */
function counter(
  result: EvalResult,
  defaultValue: unknown,
  variation: number | undefined,
  version: number | undefined,
): Counter {
  return {
    value: variation === undefined ? copyJson(defaultValue) ?? null : result.value,
    count: 1,
    variation,
    version,
    unknown: version === undefined || undefined,
  };
}
