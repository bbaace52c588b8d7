/**
 * The adapter contract for AWS Lambda: each request is an invocation of the wrapped handler, the
 * way the Lambda runtime calls it (event and context object; over when its promise settles).
 */
import { randomUUID } from 'node:crypto';
import { withLaunchDarkly, type LDClient, type LDContext } from '../../runtimes/lambda/index.js';
import { describeAdapterContract, type ContractEnv, type FlagSource } from './adapterContract.js';
import { evaluate, recordingLogger, type ContractAsk } from './fixtures-contract/handler.js';

type Invoke = (event: ContractAsk, context: { getRemainingTimeInMillis(): number; awsRequestId: string }) => Promise<unknown>;

const lines: string[] = [];
const handlers = new Map<FlagSource, Invoke>();
const clients = new Set<LDClient>();

describeAdapterContract('lambda', {
  events: 'before-return',
  async start(env: ContractEnv) {
    for (const source of ['served', 'missing', 'unreachable'] as const) {
      handlers.set(
        source,
        withLaunchDarkly(
          {
            sdkKey: env.sdkKey[source],
            baseUri: env.baseUri[source],
            eventsUri: env.eventsUri,
            cacheTtl: env.cacheTtl,
            initTimeout: env.timeout,
            flushTimeout: 3,
            logger: recordingLogger(lines),
          },
          async (event: ContractAsk, _context, ld) => {
            clients.add(ld);
            return evaluate(ld, event);
          },
        ),
      );
    }
  },
  async stop() {
    await Promise.all([...clients].map((c) => c.close()));
  },
  async request({ source, context, flagKeys, throwInHandler = false }) {
    const mark = lines.length;
    const deadline = Date.now() + 10_000;
    const context_ = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() };
    try {
      const body = (await handlers.get(source)!({ context: context as LDContext, flagKeys, throwInHandler }, context_)) as {
        details: Record<string, never>;
      };
      return { threw: false, details: body.details, warnings: lines.slice(mark) };
    } catch {
      return { threw: true, warnings: lines.slice(mark) };
    }
  },
});
