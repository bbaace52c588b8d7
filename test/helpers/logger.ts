// A logger that records lines as `<level>: <message>`, so tests can count and read what was said.
import type { LDLogger } from '../../src/logging.js';

export function recordingLogger(): LDLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
