/** Checks that a body is a `/sdk/latest-all` data set before anything replaces the data held. */
import type { AllData, FlagData, SegmentData } from '../wire.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseAllData(body: unknown, what: string): AllData {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new Error(`${what} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isRecord(parsed)) throw new Error(`${what} must be an object with "flags" and "segments"`);
  const flags = parsed.flags ?? {};
  const segments = parsed.segments ?? {};
  if (!isRecord(flags)) throw new Error(`${what}: "flags" must be an object keyed by flag key`);
  if (!isRecord(segments)) throw new Error(`${what}: "segments" must be an object keyed by segment key`);
  return { flags: flags as Record<string, FlagData>, segments: segments as Record<string, SegmentData> };
}
