/**
 * Stands in for `@vercel/edge-config` when the Vercel example is bundled for edge-runtime: serves
 * the items the test defines as EDGE_CONFIG_ITEMS, already parsed, as Edge Config does.
 */
declare const EDGE_CONFIG_ITEMS: string;

export const edgeConfigStats = { reads: 0, keys: [] as string[] };

export function createClient(connection: string | undefined): { get(key: string): Promise<unknown> } {
  if (!connection) throw new Error('@vercel/edge-config: no connection string');
  const items = JSON.parse(EDGE_CONFIG_ITEMS) as Record<string, unknown>;
  return {
    async get(key) {
      edgeConfigStats.reads++;
      edgeConfigStats.keys.push(key);
      return structuredClone(items[key]);
    },
  };
}
