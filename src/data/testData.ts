/**
 * A data source for unit tests of applications that use ldedge: flags are described in code and
 * pushed to running clients at once, modelled on LaunchDarkly's server SDKs' `TestData`.
 *
 * ```ts
 * const td = new TestData();
 * td.update(td.flag('flag-key').booleanFlag().variationForAll(true));
 * const client = init('sdk-key', { dataSource: td, sendEvents: false });
 * await client.waitForInitialization();
 * td.update(td.flag('flag-key').variationForUser('alice', false)); // seen by the client at once
 * ```
 */
import type { Clause, ContextTarget, FlagData, FlagRule, LDJsonValue, SegmentData, Target } from '../wire.js';
import type { DataSourceUpdates, LDDataSource } from './types.js';

/** A variation index, or for boolean flags `true`/`false` (which makes the flag boolean). */
export type VariationRef = number | boolean;

const TRUE_VARIATION = 0;
const FALSE_VARIATION = 1;
const USER_KIND = 'user';

interface RuleSpec {
  clauses: Clause[];
  variation: number;
}

/**
 * Describes one flag for `TestData.update`. Get one from `td.flag(key)`; every method changes this
 * builder and returns it, so calls chain.
 */
export class FlagBuilder {
  private isOn = true;
  private variationValues: LDJsonValue[] = [];
  private offIndex: number | undefined;
  private fallthroughIndex: number | undefined;
  /** Context kind → context key → variation; a map per kind so a key has one variation only. */
  private targetMap = new Map<string, Map<string, number>>();
  private ruleSpecs: RuleSpec[] = [];

  /** Use `td.flag(key)`, which also carries over what was set for the key before. */
  constructor(readonly key: string) {}

  /** Makes this a boolean flag (variations `[true, false]`), unless it is one already. */
  booleanFlag(): this {
    if (this.isBoolean()) return this;
    this.variationValues = [true, false];
    this.fallthroughIndex = TRUE_VARIATION;
    this.offIndex = FALSE_VARIATION;
    return this;
  }

  variations(...values: LDJsonValue[]): this {
    this.variationValues = [...values];
    return this;
  }

  /** Whether targeting is on; when off, every evaluation returns the off variation. */
  on(isOn: boolean): this {
    this.isOn = isOn;
    return this;
  }

  /** The variation for contexts that no target or rule matched, while targeting is on. */
  fallthroughVariation(variation: VariationRef): this {
    this.fallthroughIndex = this.index(variation);
    return this;
  }

  /** The variation returned while targeting is off. */
  offVariation(variation: VariationRef): this {
    this.offIndex = this.index(variation);
    return this;
  }

  /** Turns targeting on and returns `variation` for everyone: targets and rules are removed. */
  variationForAll(variation: VariationRef): this {
    const index = this.index(variation);
    return this.clearRules().clearTargets().on(true).fallthroughVariation(index);
  }

  /** Makes the flag a single-variation flag returning `value` for everyone. */
  valueForAll(value: LDJsonValue): this {
    return this.variations(value).variationForAll(0);
  }

  /** Targets the user (a context of kind `user`) with this key. */
  variationForUser(userKey: string, variation: VariationRef): this {
    return this.variationForKey(USER_KIND, userKey, variation);
  }

  /** Targets the context of this kind and key; it leaves any other variation it was targeted to. */
  variationForKey(contextKind: string, key: string, variation: VariationRef): this {
    const index = this.index(variation);
    let keys = this.targetMap.get(contextKind);
    if (keys === undefined) {
      keys = new Map();
      this.targetMap.set(contextKind, keys);
    }
    keys.set(key, index);
    return this;
  }

  /** Starts a rule matching users whose `attribute` equals one of `values`. */
  ifMatch(attribute: string, ...values: LDJsonValue[]): RuleBuilder {
    return this.ifMatchContext(USER_KIND, attribute, ...values);
  }

  /** Starts a rule matching contexts of this kind whose `attribute` equals one of `values`. */
  ifMatchContext(contextKind: string, attribute: string, ...values: LDJsonValue[]): RuleBuilder {
    return this.newRule().andMatchContext(contextKind, attribute, ...values);
  }

  /** Starts a rule matching users whose `attribute` equals none of `values`. */
  ifNotMatch(attribute: string, ...values: LDJsonValue[]): RuleBuilder {
    return this.ifNotMatchContext(USER_KIND, attribute, ...values);
  }

  /** Starts a rule matching contexts of this kind whose `attribute` equals none of `values`. */
  ifNotMatchContext(contextKind: string, attribute: string, ...values: LDJsonValue[]): RuleBuilder {
    return this.newRule().andNotMatchContext(contextKind, attribute, ...values);
  }

  clearRules(): this {
    this.ruleSpecs = [];
    return this;
  }

  clearTargets(): this {
    this.targetMap = new Map();
    return this;
  }

  /** An independent copy, so that building on a stored builder does not change it. */
  copy(): FlagBuilder {
    const copy = new FlagBuilder(this.key);
    copy.isOn = this.isOn;
    copy.variationValues = structuredClone(this.variationValues);
    copy.offIndex = this.offIndex;
    copy.fallthroughIndex = this.fallthroughIndex;
    copy.targetMap = new Map([...this.targetMap].map(([kind, keys]) => [kind, new Map(keys)]));
    copy.ruleSpecs = structuredClone(this.ruleSpecs);
    return copy;
  }

  /** The flag as LaunchDarkly would serve it, with this version. */
  build(version: number): FlagData {
    const targets: Target[] = [];
    const contextTargets: ContextTarget[] = [];
    for (const [kind, keys] of this.targetMap) {
      const byVariation = new Map<number, string[]>();
      for (const [key, variation] of keys) {
        const values = byVariation.get(variation);
        if (values === undefined) byVariation.set(variation, [key]);
        else values.push(key);
      }
      for (const variation of [...byVariation.keys()].sort((a, b) => a - b)) {
        const values = byVariation.get(variation) as string[];
        if (kind === USER_KIND) {
          // LaunchDarkly keeps user targets in `targets`; the empty entry fixes their place in the order.
          targets.push({ variation, values });
          contextTargets.push({ contextKind: kind, variation, values: [] });
        } else {
          contextTargets.push({ contextKind: kind, variation, values });
        }
      }
    }
    const rules: FlagRule[] = this.ruleSpecs.map((rule, i) => ({
      id: `rule${i}`,
      variation: rule.variation,
      clauses: structuredClone(rule.clauses),
    }));
    return {
      key: this.key,
      version,
      on: this.isOn,
      variations: structuredClone(this.variationValues),
      offVariation: this.offIndex ?? null,
      fallthrough: { variation: this.fallthroughIndex ?? null },
      prerequisites: [],
      targets,
      contextTargets,
      rules,
      salt: '',
    };
  }

  private isBoolean(): boolean {
    const v = this.variationValues;
    return v.length === 2 && v[0] === true && v[1] === false;
  }

  /** Resolves a variation reference; a boolean turns the flag into a boolean flag first. */
  private index(variation: VariationRef): number {
    if (typeof variation === 'number') return variation;
    this.booleanFlag();
    return variation ? TRUE_VARIATION : FALSE_VARIATION;
  }

  private newRule(): RuleBuilder {
    return new RuleBuilder((clauses, variation) => {
      this.ruleSpecs.push({ clauses, variation: this.index(variation) });
      return this;
    });
  }
}

/**
 * One rule of a flag: every clause must match. Finish it with `thenReturn`, which adds it after
 * the flag's existing rules and returns the flag's builder.
 */
export class RuleBuilder {
  private readonly clauses: Clause[] = [];

  /** Use `FlagBuilder.ifMatch` and its siblings. */
  constructor(private readonly add: (clauses: Clause[], variation: VariationRef) => FlagBuilder) {}

  andMatch(attribute: string, ...values: LDJsonValue[]): this {
    return this.andMatchContext(USER_KIND, attribute, ...values);
  }

  andMatchContext(contextKind: string, attribute: string, ...values: LDJsonValue[]): this {
    return this.clause(contextKind, attribute, values, false);
  }

  andNotMatch(attribute: string, ...values: LDJsonValue[]): this {
    return this.andNotMatchContext(USER_KIND, attribute, ...values);
  }

  andNotMatchContext(contextKind: string, attribute: string, ...values: LDJsonValue[]): this {
    return this.clause(contextKind, attribute, values, true);
  }

  thenReturn(variation: VariationRef): FlagBuilder {
    return this.add(this.clauses, variation);
  }

  private clause(contextKind: string, attribute: string, values: LDJsonValue[], negate: boolean): this {
    this.clauses.push({ contextKind, attribute, op: 'in', values: structuredClone(values), negate });
    return this;
  }
}

/**
 * Test flag data that several clients can share. Give it to a client as `dataSource`; every
 * `update` reaches each running client at once.
 *
 * A client closes its data source with no argument, so a `TestData` given directly to several
 * clients cannot tell which of them closed: `close()` then detaches all of them. For clients
 * with separate lifetimes, give each its own `td.dataSource()`, whose `close()` detaches only
 * that client.
 */
export class TestData implements LDDataSource {
  private readonly flags = new Map<string, FlagData>();
  private readonly segments = new Map<string, SegmentData>();
  private readonly builders = new Map<string, FlagBuilder>();
  private readonly receivers = new Set<DataSourceUpdates>();
  /** The receivers registered through `start` on this object itself, which `close` detaches. */
  private readonly direct = new Set<DataSourceUpdates>();

  /**
   * A builder for this flag key: a copy of the one last passed to `update` for it, so changes
   * build on what was set before, or else a new boolean flag that is on and serves `true`.
   */
  flag(key: string): FlagBuilder {
    return this.builders.get(key)?.copy() ?? new FlagBuilder(key).booleanFlag();
  }

  /** Stores the flag with its version raised by one, and sends it to every running client. */
  update(builder: FlagBuilder): this {
    const flag = builder.build(this.nextVersion(this.flags.get(builder.key)));
    this.builders.set(builder.key, builder.copy());
    return this.put('flags', flag);
  }

  /**
   * Stores a flag given in LaunchDarkly's wire format, for what the builder cannot express
   * (prerequisites, rollouts, other operators). Its version is set one above the version held.
   * Later `td.flag(key)` calls start from a new builder, not from this flag.
   */
  usePreconfiguredFlag(flag: FlagData): this {
    const item = { ...structuredClone(flag), version: this.nextVersion(this.flags.get(flag.key)) };
    this.builders.delete(flag.key);
    return this.put('flags', item);
  }

  /** Stores a segment given in LaunchDarkly's wire format, its version one above the version held. */
  usePreconfiguredSegment(segment: SegmentData): this {
    const item = { ...structuredClone(segment), version: this.nextVersion(this.segments.get(segment.key)) };
    return this.put('segments', item);
  }

  /** A data source for one client, whose `close()` detaches that client only. */
  dataSource(): LDDataSource {
    let receiver: DataSourceUpdates | undefined;
    return {
      start: (updates) => {
        if (receiver !== undefined) this.receivers.delete(receiver);
        receiver = updates;
        return this.attach(updates);
      },
      close: () => {
        if (receiver !== undefined) this.receivers.delete(receiver);
        receiver = undefined;
      },
    };
  }

  /** Sends the current data to the client and keeps it updated until `close`. */
  start(updates: DataSourceUpdates): Promise<void> {
    this.direct.add(updates);
    return this.attach(updates);
  }

  /** Stops updates to every client that was given this object itself as its data source. */
  close(): void {
    for (const updates of this.direct) this.receivers.delete(updates);
    this.direct.clear();
  }

  private attach(updates: DataSourceUpdates): Promise<void> {
    this.receivers.add(updates);
    // Fresh maps for each client: a client's data set may take ownership of what it is given.
    updates.init({ flags: Object.fromEntries(this.flags), segments: Object.fromEntries(this.segments) });
    return Promise.resolve();
  }

  private nextVersion(held: { version: number } | undefined): number {
    return (held?.version ?? 0) + 1;
  }

  private put(kind: 'flags' | 'segments', item: FlagData | SegmentData): this {
    if (kind === 'flags') this.flags.set(item.key, item as FlagData);
    else this.segments.set(item.key, item as SegmentData);
    for (const updates of this.receivers) updates.upsert(kind, item.key, item);
    return this;
  }
}
