// Reports what each edge adapter adds to a user's bundle (see edgeBundles.mjs) against the size
// aimed at and the budget `npm test` enforces (it fails when a bundle is over the budget).
import { EDGE_BUNDLE_LIMIT, EDGE_BUNDLE_TARGET, EDGE_HOSTS, measureEdgeBundle } from './edgeBundles.mjs';

let met = 0;
for (const host of EDGE_HOSTS) {
  const { gzipped, minified, nodeFree } = await measureEdgeBundle(host);
  const ok = gzipped <= EDGE_BUNDLE_TARGET && nodeFree;
  if (ok) met++;
  console.log(
    `bundle ldedge/${host}: ${gzipped} B gzip, ${minified} B minified, node-free ${nodeFree} ` +
      `(target <= ${EDGE_BUNDLE_TARGET} B gzip, budget ${EDGE_BUNDLE_LIMIT} B) ${ok ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`bundle summary: ${met}/${EDGE_HOSTS.length} targets met`);
