// Reports what each edge adapter adds to a user's bundle (see edgeBundles.mjs) against the 15 KiB
// budget; `npm test` fails when a bundle is over it.
import { EDGE_BUNDLE_LIMIT, EDGE_HOSTS, measureEdgeBundle } from './edgeBundles.mjs';

let met = 0;
for (const host of EDGE_HOSTS) {
  const { gzipped, minified, nodeFree } = await measureEdgeBundle(host);
  const ok = gzipped <= EDGE_BUNDLE_LIMIT && nodeFree;
  if (ok) met++;
  console.log(
    `bundle ldedge/${host}: ${gzipped} B gzip, ${minified} B minified, node-free ${nodeFree} ` +
      `(target <= ${EDGE_BUNDLE_LIMIT} B gzip) ${ok ? 'PASS' : 'FAIL'}`,
  );
}
console.log(`bundle summary: ${met}/${EDGE_HOSTS.length} targets met`);
