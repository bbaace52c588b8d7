/** What only long-lived processes need (streaming, the polling loop, store write-through), wired from configuration. */
import { writeThrough } from './persistentStore.js';
import { PollingLoader } from './poll.js';
import { PollingDataSource } from './pollingLoop.js';
import { StreamingDataSource } from './streaming.js';
import type { LongLivedExtras } from './types.js';

export const longLivedExtras: LongLivedExtras = {
  // `stream` wins over `pollInterval` (the configuration has warned that it is ignored).
  background(config) {
    if (config.stream) {
      return [
        'stream',
        new StreamingDataSource({
          http: config.http,
          streamUri: config.streamUri,
          filter: config.payloadFilterKey,
          initialReconnectDelayMs: config.initialReconnectDelayMs,
          logger: config.logger,
        }),
      ];
    }
    if (config.pollIntervalMs === undefined) return undefined;
    return ['polling', new PollingDataSource(new PollingLoader(config), config.pollIntervalMs, config.logger)];
  },
  writeThrough,
};
