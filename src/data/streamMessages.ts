/**
 * Turns one message of LaunchDarkly's streaming protocol into updates. Everything is checked
 * before anything is applied, so a malformed message leaves the data held untouched.
 */
import type { AllData, FlagData, SegmentData } from '../wire.js';
import type { DataKind, DataSourceUpdates } from './types.js';

/** A message that cannot be applied; the stream is then no longer trustworthy and is restarted. */
export class StreamMessageError extends Error {
  override readonly name = 'StreamMessageError';
}

/** What a message did: `put` delivered a full data set; `ignored` carries the reason for debug logs. */
export type StreamMessageOutcome =
  | { readonly applied: 'put' | 'patch' | 'delete' }
  | { readonly applied: 'ignored'; readonly reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(event: string, data: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    throw new StreamMessageError(`"${event}" message is not valid JSON`);
  }
  if (!isRecord(body)) throw new StreamMessageError(`"${event}" message is not a JSON object`);
  return body;
}

const PREFIXES: ReadonlyArray<readonly [string, DataKind]> = [
  ['/flags/', 'flags'],
  ['/segments/', 'segments'],
];

/** `/flags/<key>` or `/segments/<key>`; undefined for any other path, which newer servers may send. */
function itemPath(path: string): { kind: DataKind; key: string } | undefined {
  for (const [prefix, kind] of PREFIXES) {
    if (path.startsWith(prefix) && path.length > prefix.length) return { kind, key: path.slice(prefix.length) };
  }
  return undefined;
}

function pathOf(event: string, body: Record<string, unknown>): string {
  if (typeof body.path !== 'string') throw new StreamMessageError(`"${event}" message has no "path"`);
  return body.path;
}

function allData(body: Record<string, unknown>): AllData {
  const flags = body.flags ?? {};
  const segments = body.segments ?? {};
  if (!isRecord(flags) || !isRecord(segments)) {
    throw new StreamMessageError('"put" data must hold "flags" and "segments" objects');
  }
  return { flags: flags as AllData['flags'], segments: segments as AllData['segments'] };
}

/**
 * Applies one SSE message. Throws StreamMessageError when a known message is malformed;
 * unknown event names and unknown paths are ignored.
 */
export function applyStreamMessage(
  event: string | undefined,
  data: string,
  updates: DataSourceUpdates,
): StreamMessageOutcome {
  switch (event) {
    case 'put': {
      const body = parse(event, data);
      // LaunchDarkly wraps the data set as {path: "/", data}; a bare {flags, segments} is accepted too.
      if ('path' in body || 'data' in body) {
        // LaunchDarkly's SDKs read a missing path as "/", and its servers may leave it out.
        const path = body.path === undefined ? '/' : pathOf(event, body);
        if (path !== '/') return { applied: 'ignored', reason: `"put" for unknown path "${path}"` };
        if (!isRecord(body.data)) throw new StreamMessageError('"put" message has no "data" object');
        updates.init(allData(body.data));
      } else {
        if (!('flags' in body) && !('segments' in body)) {
          throw new StreamMessageError('"put" message has neither "data" nor "flags"/"segments"');
        }
        updates.init(allData(body));
      }
      return { applied: 'put' };
    }
    case 'patch': {
      const body = parse(event, data);
      const path = pathOf(event, body);
      const target = itemPath(path);
      if (!target) return { applied: 'ignored', reason: `"patch" for unknown path "${path}"` };
      if (!isRecord(body.data)) throw new StreamMessageError(`"patch" for "${path}" has no "data" object`);
      updates.upsert(target.kind, target.key, body.data as unknown as FlagData | SegmentData);
      return { applied: 'patch' };
    }
    case 'delete': {
      const body = parse(event, data);
      const path = pathOf(event, body);
      const target = itemPath(path);
      if (!target) return { applied: 'ignored', reason: `"delete" for unknown path "${path}"` };
      const version = body.version;
      if (typeof version !== 'number' || !Number.isFinite(version)) {
        throw new StreamMessageError(`"delete" for "${path}" has no numeric "version"`);
      }
      // A tombstone, so that a late patch with an older version cannot bring the item back.
      const tombstone = { key: target.key, version, deleted: true } as FlagData | SegmentData;
      updates.upsert(target.kind, target.key, tombstone);
      return { applied: 'delete' };
    }
    default:
      return { applied: 'ignored', reason: `unknown event "${event ?? 'message'}"` };
  }
}
