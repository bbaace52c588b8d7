/** What only long-lived processes need (streaming, the polling loop, a persistent store read item by item), wired from configuration. */
import { PollingLoader } from './poll.js';
import { PollingDataSource } from './pollingLoop.js';
import { StreamingDataSource } from './streaming.js';
import type { Config } from '../config.js';
import { storeViewFor } from './storeView.js';
import type { LDDataSource, LongLivedExtras } from './types.js';

type Background = ReturnType<LongLivedExtras['background']>;

export const longLivedExtras: LongLivedExtras = {
  background(config) {
    const background = source(config);
    const big = config.bigSegments;
    if (background === undefined || big === undefined) return background;
    // A process that keeps a stream or polling loop also keeps the big-segment store's status
    // current, and closes the store with the client, as LaunchDarkly's SDKs do.
    big.startStatusPolling();
    const [name, inner] = background;
    const withBigSegments: LDDataSource = {
      start: (updates) => inner.start(updates),
      close() {
        inner.close();
        void big.close();
      },
    };
    return [name, withBigSegments];
  },
  storeView: storeViewFor,
};

// `stream` wins over `pollInterval` (the configuration has warned that it is ignored).
function source(config: Config): Background {
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
}
