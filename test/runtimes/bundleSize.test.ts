// The edge entry points' gzip budget, measured as `npm run bench` reports it.
import { describe, expect, it } from 'vitest';
import { EDGE_BUNDLE_LIMIT, EDGE_HOSTS, measureEdgeBundle } from '../../bench/edgeBundles.mjs';

describe('edge bundle size', () => {
  for (const host of EDGE_HOSTS) {
    it(`ldedge/${host} is at most 15 KiB gzipped and imports nothing from Node`, async () => {
      const { gzipped, nodeFree } = await measureEdgeBundle(host);
      expect(nodeFree).toBe(true);
      expect(gzipped, `ldedge/${host}: ${gzipped} B gzip`).toBeLessThanOrEqual(EDGE_BUNDLE_LIMIT);
    });
  }
});
