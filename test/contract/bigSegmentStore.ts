/**
 * A big-segment store over the harness's callback fixture: each store method is a POST to the
 * callback URI, as the harness's service spec describes.
 */
import type { BigSegmentMembership, BigSegmentStore, BigSegmentStoreMetadata } from '../../src/index.js';

async function call(uri: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${uri.replace(/\/$/, '')}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`big-segment fixture ${path} answered ${response.status}`);
  return response.json();
}

export function callbackBigSegmentStore(callbackUri: string): BigSegmentStore {
  return {
    async getMetadata(): Promise<BigSegmentStoreMetadata> {
      const answer = (await call(callbackUri, '/getMetadata')) as { lastUpToDate?: number | null };
      return { lastUpToDate: answer.lastUpToDate || undefined };
    },
    async getMembership(contextHash: string): Promise<BigSegmentMembership | undefined> {
      const answer = (await call(callbackUri, '/getMembership', { contextHash })) as {
        values?: Record<string, boolean> | null;
      };
      return answer.values ?? undefined;
    },
  };
}
