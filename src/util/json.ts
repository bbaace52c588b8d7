/** Reading JSON values of unknown shape: shared by every module that checks what it was given. */
import { loadError } from './errors.js';

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `key` is `value`'s own property, whatever its prototype (or lack of one) says. */
export const hasOwn = Object.hasOwn;

/** JSON text parsed, or an `INVALID_DATA` error naming `what` and why it is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw loadError(`${what} is not valid JSON: ${(err as Error).message}`, 'INVALID_DATA', err);
  }
}
