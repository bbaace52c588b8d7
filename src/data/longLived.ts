/** What only long-lived processes need (streaming, the polling loop, a persistent store read item by item), wired from configuration. */
import type { Config } from '../validateOptions.js';
import type { DataSourceStatusSink } from './dataSourceStatus.js';
import type { PersistentDataStore } from './persistentStore.js';
import { PollingLoader } from './pollLoader.js';
import { PollingDataSource } from './pollingLoop.js';
import { StreamingDataSource } from './streaming.js';
import { storeViewFor, type StoreView } from './storeView.js';
import type { LDDataSource } from './types.js';

/**
 * What only long-lived processes need: the background sources, and a persistent store read item
 * by item. `ldedge`, `ldedge/node` and `ldedge/lambda` provide them; the edge entry points leave
 * them out to keep their bundles small.
 */
export interface LongLivedParts {
  /**
   * The background source the configuration asks for, streaming or a polling loop, with its name
   * for `dataStatus`; undefined when it asks for neither.
   */
  background(config: Config, status?: DataSourceStatusSink): [source: 'stream' | 'polling', LDDataSource] | undefined;
  /**
   * The store's items, read one by one and cached for `cacheTtl`, that the client evaluates over
   * when `featureStore` is set; data sources write through it. `onStatus` hears of failures in
   * background reads and writes, and (with undefined) of each successful read.
   */
  storeView(store: PersistentDataStore, config: Config, onStatus: (error: string | undefined) => void): StoreView;
}

type Background = ReturnType<LongLivedParts['background']>;

export const longLivedParts: LongLivedParts = {
  background(config, status) {
    const background = source(config, status);
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
function source(config: Config, status: DataSourceStatusSink | undefined): Background {
  if (config.stream) {
    return [
      'stream',
      new StreamingDataSource({
        http: config.http,
        streamUri: config.streamUri,
        filter: config.payloadFilterKey,
        initialReconnectDelayMs: config.initialReconnectDelayMs,
        logger: config.logger,
        status,
      }),
    ];
  }
  if (config.pollIntervalMs === undefined) return undefined;
  return ['polling', new PollingDataSource(new PollingLoader(config), config.pollIntervalMs, config.logger, status)];
}
