// The server-side evaluation cases in test/fixtures/conformance (see its README for the fields).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConformanceCase {
  id: string;
  flags: Record<string, unknown>;
  segments: Record<string, unknown>;
  flagKey: string;
  context: unknown;
  user: unknown;
  defaultValue: unknown;
  valueType: 'bool' | 'int' | 'double' | 'string' | 'any';
  expected: { value: unknown; variationIndex: number | null; reason: Record<string, unknown> };
  requireCapability: string | null;
  expectedAllFlagsValue?: unknown;
  skipEvaluateAllFlags?: boolean;
}

const dir = new URL('../fixtures/conformance/', import.meta.url).pathname;

export function loadConformanceCases(): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ConformanceCase[]);
}
