/**
 * Runs the contract-test service: `PORT` (default 8400) and `LOG_LEVEL` (default `warn`) from the
 * environment. It exits when the harness sends `DELETE /` (`-stop-service-at-end`).
 *
 * With `PERSISTENCE=1` it first starts the stores the harness's persistence tests use, on the
 * loopback ports the harness has fixed: redis-server on 6379, DynamoDB (dynalite) on 8000 and a
 * server speaking Consul's KV API on 8500.
 */
import type { LDLogLevel } from '../../src/index.js';
import { startConsulServer } from '../helpers/consulServer.js';
import { startDynamoServer } from '../helpers/dynamoServer.js';
import { startRedisServer } from '../helpers/redisServer.js';
import { startService } from './service.js';

const stores: Array<{ stop(): Promise<void> }> = [];
// Stopped from outside (the runner's clean-up): exit, so that the stores' exit hooks run.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(1));
if (process.env.PERSISTENCE === '1') {
  stores.push(await startRedisServer({ port: 6379 }));
  stores.push(await startDynamoServer({ port: 8000, settled: true }));
  stores.push(await startConsulServer({ port: 8500 }));
  console.log('persistent stores: redis on 6379, DynamoDB on 8000, Consul KV on 8500');
}

const port = Number(process.env.PORT ?? 8400);
const service = await startService({
  port,
  logLevel: (process.env.LOG_LEVEL as LDLogLevel | undefined) ?? 'warn',
  onStop: () => {
    void service
      .close()
      .then(() => Promise.all(stores.map((s) => s.stop())))
      .finally(() => process.exit(0));
  },
});
console.log(`contract-test service listening on ${service.url}`);
