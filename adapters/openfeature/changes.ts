/**
 * Seeing flag changes as they arrive: a background data source (the stream, the polling loop, a
 * custom one) wrapped so that each update, once the client has applied it, reports the flags it
 * changed. Lives here, outside the client, so the edge bundles carry none of it.
 */
import type { AllData, DataKind, DataSourceUpdates, FlagData, LDDataSource, SegmentData } from '../../src/lean.js';
import type { LongLivedParts } from '../../src/data/longLived.js';

/**
 * Called after a change was applied. `flagKeys` lists the flags whose data changed; it is
 * undefined when a segment changed, since any flag may use that segment.
 */
export type ChangeListener = (flagKeys: string[] | undefined) => void;

type Versions = Map<string, number>;

function versionsOf(items: Record<string, { version?: number }> | undefined): Versions {
  const versions: Versions = new Map();
  for (const [key, item] of Object.entries(items ?? {})) versions.set(key, item?.version ?? 0);
  return versions;
}

/** Keys added, removed, or at another version. */
function changedKeys(before: Versions, after: Versions): string[] {
  const changed = [...after].filter(([key, version]) => before.get(key) !== version).map(([key]) => key);
  for (const key of before.keys()) if (!after.has(key)) changed.push(key);
  return changed;
}

/** Wraps one data source; the versions seen are what the client holds, as it applies the same rule. */
export function watchDataSource(source: LDDataSource, listener: ChangeListener): LDDataSource {
  let flags: Versions | undefined;
  let segments: Versions = new Map();
  return {
    start(updates: DataSourceUpdates): Promise<void> {
      return source.start({
        init(data: AllData, environmentId?: string) {
          updates.init(data, environmentId);
          const nextFlags = versionsOf(data.flags);
          const nextSegments = versionsOf(data.segments);
          // The first data set is the provider becoming ready, not a change.
          if (flags !== undefined) {
            const changedFlags = changedKeys(flags, nextFlags);
            if (changedKeys(segments, nextSegments).length > 0) listener(undefined);
            else if (changedFlags.length > 0) listener(changedFlags);
          }
          flags = nextFlags;
          segments = nextSegments;
        },
        upsert(kind: DataKind, key: string, item: FlagData | SegmentData) {
          updates.upsert(kind, key, item);
          const versions = kind === 'flags' ? (flags ??= new Map()) : segments;
          const version = item.version ?? 0;
          const held = versions.get(key);
          // An update no newer than what is held is ignored by the client, and so here.
          if (held !== undefined && version <= held) return;
          versions.set(key, version);
          listener(kind === 'flags' ? [key] : undefined);
        },
      });
    },
    close: () => source.close(),
  };
}

/** The long-lived extras with their background source watched. */
export function watchExtras(extras: LongLivedParts, listener: ChangeListener): LongLivedParts {
  return {
    background(config) {
      const chosen = extras.background(config);
      return chosen && [chosen[0], watchDataSource(chosen[1], listener)];
    },
    storeView: extras.storeView,
  };
}
