/**
 * The contract's Worker for workerd: the contract handler wrapped by the Cloudflare adapter, one
 * isolate client per flag source (each polls with its own SDK key). `/__log` returns what the
 * clients' loggers received.
 */
import { withLaunchDarkly } from '../../../runtimes/cloudflare/index.js';
import { askFromUrl, evaluate, recordingLogger, type ContractHostEnv } from './handler.js';

interface Env {
  /** A `ContractHostEnv` as JSON. */
  CONTRACT_ENV: string;
}

const lines: string[] = [];
const logger = recordingLogger(lines);

const handler = withLaunchDarkly(
  (env: Env) => {
    const contract = JSON.parse(env.CONTRACT_ENV) as ContractHostEnv;
    const source = new URL(current!.url).searchParams.get('source') ?? '';
    return {
      sdkKey: contract.sdkKey[source],
      timeout: contract.timeout,
      options: { baseUri: contract.baseUri[source], eventsUri: contract.eventsUri, cacheTtl: contract.cacheTtl, logger },
    };
  },
  (request, _env, _ctx, ld) => Response.json(evaluate(ld, askFromUrl(request.url))),
);

/** The request being dispatched: the settings callback sees only the bindings, and is called synchronously at its start. */
let current: Request | undefined;

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === '/__log') return Promise.resolve(Response.json(lines));
    current = request;
    return handler(request, env, ctx);
  },
};
