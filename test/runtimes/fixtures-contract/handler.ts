/**
 * The handler every host runs for the adapter contract (test/runtimes/adapterContract.ts), written
 * against web-standard APIs only so that it bundles for workerd, edge-runtime and Deno as it is.
 * The request says what to evaluate: `?context=<json>&flags=a,b&throw=1`.
 */
import type { LDClient, LDContext, LDLogger } from '../../../src/lean.js';

/** What a contract request asks the handler to do. */
export interface ContractAsk {
  context: LDContext;
  flagKeys: string[];
  throwInHandler: boolean;
}

/** The default every contract evaluation passes, so a default answer is recognisable. */
export const CONTRACT_DEFAULT = 'contract-default';
export const CONTRACT_EVENT = 'contract-event';

export function askFromUrl(url: string): ContractAsk {
  const params = new URL(url).searchParams;
  return {
    context: JSON.parse(params.get('context') ?? '{"key":"anonymous"}') as LDContext,
    flagKeys: (params.get('flags') ?? '').split(',').filter((key) => key !== ''),
    throwInHandler: params.get('throw') === '1',
  };
}

/** Evaluates, records one custom event, then throws if asked: the events must still be delivered. */
export function evaluate(ld: LDClient, ask: ContractAsk): Record<string, unknown> {
  const details = Object.fromEntries(ask.flagKeys.map((key) => [key, ld.variationDetail(key, ask.context, CONTRACT_DEFAULT)]));
  ld.track(CONTRACT_EVENT, ask.context);
  if (ask.throwInHandler) throw new Error('contract handler failed on purpose');
  return { details };
}

/** A logger that keeps warnings and errors, so the contract can count them per request. */
export function recordingLogger(lines: string[]): LDLogger {
  return {
    debug: () => {},
    info: () => {},
    warn: (message: unknown) => void lines.push(`warn: ${String(message)}`),
    error: (message: unknown) => void lines.push(`error: ${String(message)}`),
  };
}

/** The URL that asks a web host's contract handler for `ask`, from the client named `source`. */
export function contractUrl(base: string, source: string, ask: ContractAsk): string {
  const params = new URLSearchParams({
    source,
    context: JSON.stringify(ask.context),
    flags: ask.flagKeys.join(','),
    throw: ask.throwInHandler ? '1' : '0',
  });
  return `${base}/contract?${params}`;
}

/** What a web host's build is given (as one defined constant) to make its clients. */
export interface ContractHostEnv {
  baseUri: Record<string, string>;
  sdkKey: Record<string, string>;
  eventsUri: string;
  cacheTtl: number;
  timeout: number;
}
