/** Checks that a body is a `/sdk/latest-all` data set before anything replaces the data held. */
import type { AllData } from '../wire.js';

/** A plain object: not null, not an array. Shared by every module that checks JSON shapes. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const hasOwn = Object.prototype.hasOwnProperty;

/** JSON text parsed, or an Error naming `what` and why it is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function parseAllData(body: unknown, what: string): AllData {
  const parsed = typeof body === 'string' ? parseJson(body, what) : body;
  if (!isRecord(parsed)) throw new Error(`${what} must be an object with "flags" and "segments"`);
  const { flags = {}, segments = {} } = parsed;
  for (const [kind, items] of [['flag', flags], ['segment', segments]]) {
    if (!isRecord(items)) throw new Error(`${what}: "${kind}s" must be an object keyed by ${kind} key`);
  }
  return { flags, segments } as AllData;
}
