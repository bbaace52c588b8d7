/**
 * Summary counters: how often each flag gave each value, per flag version and variation. Every
 * evaluation passes through here, so counting an existing counter allocates nothing: nested Maps
 * keyed by flag key, then version, then variation index (undefined standing for "none").
 */
import type { Context } from '../context.js';
import { copyJson } from './redaction.js';

interface Counter {
  count: number;
  readonly value: unknown;
}

interface FlagCounters {
  readonly default: unknown;
  readonly contextKinds: Set<string>;
  /** Version (undefined: unknown flag) → variation index (undefined: none) → counter. */
  readonly byVersion: Map<number | undefined, Map<number | undefined, Counter>>;
}

export interface SummaryCounterOutput {
  value: unknown;
  count: number;
  variation?: number;
  version?: number;
  unknown?: true;
}

export interface SummaryEvent {
  kind: 'summary';
  startDate: number;
  endDate: number;
  features: Record<string, { default: unknown; contextKinds: string[]; counters: SummaryCounterOutput[] }>;
}

export class Summarizer {
  private flags = new Map<string, FlagCounters>();
  private startDate = 0;
  private endDate = 0;

  /** True when nothing has been counted since the last `take`. */
  get isEmpty(): boolean {
    return this.flags.size === 0;
  }

  /**
   * Counts one evaluation. `version` is undefined for a flag that does not exist; `variation`
   * is undefined when the default value was served.
   */
  count(
    flagKey: string,
    version: number | undefined,
    variation: number | undefined,
    value: unknown,
    defaultValue: unknown,
    context: Context,
    now: number,
  ): void {
    let flag = this.flags.get(flagKey);
    if (flag === undefined) {
      // Copied because the caller's default may be an object it later changes.
      flag = { default: copyJson(defaultValue) ?? null, contextKinds: new Set(), byVersion: new Map() };
      this.flags.set(flagKey, flag);
    }
    let byVariation = flag.byVersion.get(version);
    if (byVariation === undefined) {
      byVariation = new Map();
      flag.byVersion.set(version, byVariation);
    }
    const counter = byVariation.get(variation);
    if (counter === undefined) {
      byVariation.set(variation, { count: 1, value: variation === undefined ? copyJson(value) ?? null : value });
    } else {
      counter.count++;
    }
    const kinds = flag.contextKinds;
    if (!context.isMulti) kinds.add(context.kind);
    else for (const member of context.contexts) kinds.add(member.kind);
    if (this.startDate === 0 || now < this.startDate) this.startDate = now;
    if (now > this.endDate) this.endDate = now;
  }

  /** The summary event for everything counted so far, or undefined if none; starts afresh. */
  take(): SummaryEvent | undefined {
    if (this.flags.size === 0) return undefined;
    const features: SummaryEvent['features'] = {};
    for (const [key, flag] of this.flags) {
      const counters: SummaryCounterOutput[] = [];
      for (const [version, byVariation] of flag.byVersion) {
        for (const [variation, counter] of byVariation) {
          const out: SummaryCounterOutput = { value: counter.value, count: counter.count };
          if (variation !== undefined) out.variation = variation;
          if (version !== undefined) out.version = version;
          else out.unknown = true;
          counters.push(out);
        }
      }
      features[key] = { default: flag.default, contextKinds: [...flag.contextKinds], counters };
    }
    const event: SummaryEvent = { kind: 'summary', startDate: this.startDate, endDate: this.endDate, features };
    this.flags = new Map();
    this.startDate = 0;
    this.endDate = 0;
    return event;
  }

  /** Forgets everything counted. */
  clear(): void {
    this.flags = new Map();
    this.startDate = 0;
    this.endDate = 0;
  }
}
