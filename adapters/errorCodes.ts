/**
 * LaunchDarkly's evaluation error kinds in OpenFeature's error-code vocabulary, which the
 * OpenFeature provider returns and OpenTelemetry's `error.type` spells in lower case.
 */
import type { LDErrorKind } from '../src/lean.js';

export type OpenFeatureErrorCode =
  | 'PROVIDER_NOT_READY'
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'INVALID_CONTEXT'
  | 'GENERAL';

const CODES: Readonly<Record<LDErrorKind, OpenFeatureErrorCode>> = {
  CLIENT_NOT_READY: 'PROVIDER_NOT_READY',
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  MALFORMED_FLAG: 'PARSE_ERROR',
  WRONG_TYPE: 'TYPE_MISMATCH',
  USER_NOT_SPECIFIED: 'TARGETING_KEY_MISSING',
  EXCEPTION: 'GENERAL',
};

export function openFeatureErrorCode(kind: LDErrorKind): OpenFeatureErrorCode {
  return CODES[kind] ?? 'GENERAL';
}
