/** The edge entry points whose bundles have a size budget. */
export const EDGE_HOSTS: readonly string[];
/** The budget `npm test` enforces, in bytes of gzip. */
export const EDGE_BUNDLE_LIMIT: number;
/** The size `npm run bench` aims at, in bytes of gzip. */
export const EDGE_BUNDLE_TARGET: number;

export interface EdgeBundle {
  readonly host: string;
  /** Bytes, minified. */
  readonly minified: number;
  /** Bytes, minified and gzipped at level 9. */
  readonly gzipped: number;
  /** No `node:` import and no `require(`. */
  readonly nodeFree: boolean;
}

export function measureEdgeBundle(host: string): Promise<EdgeBundle>;
