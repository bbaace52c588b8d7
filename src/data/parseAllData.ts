/** Checks that a body is a `/sdk/latest-all` data set before anything replaces the data held. */
import { isRecord, parseJson } from '../util/json.js';
import type { AllData } from '../wire.js';

export function parseAllData(body: unknown, what: string): AllData {
  const parsed = typeof body === 'string' ? parseJson(body, what) : body;
  if (!isRecord(parsed)) throw new Error(`${what} must be an object with "flags" and "segments"`);
  const { flags = {}, segments = {} } = parsed;
  for (const [kind, items] of [['flag', flags], ['segment', segments]]) {
    if (!isRecord(items)) throw new Error(`${what}: "${kind}s" must be an object keyed by ${kind} key`);
  }
  return { flags, segments } as AllData;
}
