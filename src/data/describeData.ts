/** How debug lines of long-lived data sources describe a data set: its size, never its content. */
import type { AllData } from '../wire.js';

export function describeData(data: AllData): string {
  return `${Object.keys(data.flags).length} flags and ${Object.keys(data.segments).length} segments`;
}
