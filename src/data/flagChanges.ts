/**
 * Which flags a data update changes, for `on('update')` listeners: a flag whose version changed, was
 * added or deleted, and every flag that depends on a changed item through prerequisites or segment
 * clauses (transitively), as LaunchDarkly's SDKs count them. Only long-lived clients use it.
 */
import type { AllData, Clause, FlagData, SegmentData } from '../wire.js';
import type { DataKind } from './types.js';

type Item = FlagData | SegmentData;
/** `flags:<key>` or `segments:<key>`. */
type Node = string;

function segmentRefs(clauses: readonly Clause[] | undefined, into: Set<Node>): void {
  for (const clause of clauses ?? []) {
    if (clause.op !== 'segmentMatch') continue;
    for (const value of clause.values) if (typeof value === 'string') into.add(`segments:${value}`);
  }
}

/** What an item's evaluation reads: prerequisite flags and the segments its clauses name. */
function dependenciesOf(kind: DataKind, item: Item): Set<Node> {
  const found = new Set<Node>();
  if (item.deleted) return found;
  if (kind === 'flags') {
    const flag = item as FlagData;
    for (const prerequisite of flag.prerequisites ?? []) found.add(`flags:${prerequisite.key}`);
    for (const rule of flag.rules ?? []) segmentRefs(rule.clauses, found);
  } else {
    for (const rule of (item as SegmentData).rules ?? []) segmentRefs(rule.clauses, found);
  }
  return found;
}

export class FlagChangeTracker {
  /** Versions held, tombstones included (an older update must not count as a change). */
  readonly #versions = new Map<Node, { version: number; deleted: boolean }>();
  readonly #dependencies = new Map<Node, Set<Node>>();

  /** The keys of the flags that replacing what is held with `data` changes. */
  init(data: AllData): string[] {
    const changed: Node[] = [];
    const incoming = new Map<Node, [DataKind, Item]>();
    for (const kind of ['flags', 'segments'] as const) {
      for (const [key, item] of Object.entries(data[kind] ?? {})) incoming.set(`${kind}:${key}`, [kind, item]);
    }
    for (const node of new Set([...this.#versions.keys(), ...incoming.keys()])) {
      const held = this.#versions.get(node);
      const item = incoming.get(node)?.[1];
      const heldLive = held !== undefined && !held.deleted;
      const itemLive = item !== undefined && !item.deleted;
      if (heldLive !== itemLive || (heldLive && held.version !== item!.version)) changed.push(node);
    }
    this.#versions.clear();
    this.#dependencies.clear();
    for (const [node, [kind, item]] of incoming) this.#record(node, kind, item);
    return this.#affectedFlags(changed);
  }

  /** The keys of the flags one upsert changes; none when it is not newer than what is held. */
  upsert(kind: DataKind, key: string, item: Item): string[] {
    const node = `${kind}:${key}`;
    const held = this.#versions.get(node);
    if (held !== undefined && held.version >= item.version) return [];
    this.#record(node, kind, item);
    return this.#affectedFlags([node]);
  }

  #record(node: Node, kind: DataKind, item: Item): void {
    this.#versions.set(node, { version: item.version, deleted: item.deleted === true });
    this.#dependencies.set(node, dependenciesOf(kind, item));
  }

  /** The changed flags and every flag that reaches a changed item through its dependencies. */
  #affectedFlags(changed: readonly Node[]): string[] {
    const affected = new Set<Node>(changed);
    // Walk dependents until nothing new is reached (cycles included).
    for (let grew = true; grew; ) {
      grew = false;
      for (const [node, dependencies] of this.#dependencies) {
        if (affected.has(node)) continue;
        for (const dependency of dependencies) {
          if (affected.has(dependency)) {
            affected.add(node);
            grew = true;
            break;
          }
        }
      }
    }
    return [...affected].filter((node) => node.startsWith('flags:')).map((node) => node.slice('flags:'.length));
  }
}
