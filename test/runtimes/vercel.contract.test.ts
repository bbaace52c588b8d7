/**
 * The adapter contract for Vercel, inside edge-runtime (the runtime of Vercel's Edge Functions
 * and middleware): each request is a FetchEvent dispatched to the bundled script.
 */
import { EdgeRuntime } from 'edge-runtime';
import { describeAdapterContract } from './adapterContract.js';
import { contractUrl } from './fixtures-contract/handler.js';
import { bundle } from './fixtures-vercel-deno/bundle.js';

let runtime: EdgeRuntime;


async function logLines(): Promise<string[]> {
  return (await (await runtime.dispatchFetch('https://app.example/__log')).json()) as string[];
}

describeAdapterContract('vercel', {
  events: 'after-response',
  async start(env) {
    const script = await bundle({
      entry: "import './test/runtimes/fixtures-contract/vercel.ts';",
      format: 'iife',
      define: { CONTRACT_ENV: JSON.stringify(env) },
    });
    runtime = new EdgeRuntime();
    runtime.evaluate(script);
  },
  async stop() {},
  async request({ source, ...ask }) {
    const mark = (await logLines()).length;
    try {
      const response = await runtime.dispatchFetch(contractUrl('https://app.example', source, { throwInHandler: false, ...ask }));
      if (response.status !== 200) return { threw: true, warnings: (await logLines()).slice(mark) };
      const body = (await response.json()) as { details: Record<string, never> };
      return { threw: false, details: body.details, warnings: (await logLines()).slice(mark) };
    } catch {
      return { threw: true, warnings: (await logLines()).slice(mark) };
    }
  },
});
