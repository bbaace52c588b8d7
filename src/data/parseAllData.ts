/** Checks that a body is a `/sdk/latest-all` data set before anything replaces the data held. */
import { isRecord, parseJson } from '../util/json.js';
import { loadError } from '../util/errors.js';
import type { AllData } from '../wire.js';

export function parseAllData(body: unknown, what: string): AllData {
  const parsed = typeof body === 'string' ? parseJson(body, what) : body;
  if (!isRecord(parsed)) throw loadError(`${what} must be an object with "flags" and "segments"`, 'INVALID_DATA');
  const { flags = {}, segments = {} } = parsed;
  for (const [kind, items] of [['flag', flags], ['segment', segments]]) {
    if (!isRecord(items)) throw loadError(`${what}: "${kind}s" must be an object keyed by ${kind} key`, 'INVALID_DATA');
  }
  return { flags, segments } as AllData;
}
