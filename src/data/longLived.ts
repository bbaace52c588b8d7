/** What only long-lived processes need (streaming, the polling loop, store write-through), wired from configuration. */
import type { Config } from '../validateOptions.js';
import type { LDLogger } from '../logging.js';
import { writeThrough, type PersistentDataStore } from './persistentStore.js';
import { PollingLoader } from './pollLoader.js';
import { PollingDataSource } from './pollingLoop.js';
import { StreamingDataSource } from './streaming.js';
import type { DataSourceUpdates, LDDataSource } from './types.js';

/**
 * What only long-lived processes need: the background sources, and writing loaded flags through
 * to a persistent store for daemon-mode readers elsewhere. `ldedge` and `ldedge/node` provide
 * them; the edge entry points leave them out to keep their bundles small.
 */
export interface LongLivedParts {
  /**
   * The background source the configuration asks for, streaming or a polling loop, with its name
   * for `dataStatus`; undefined when it asks for neither.
   */
  background(config: Config): [source: 'stream' | 'polling', LDDataSource] | undefined;
  writeThrough(store: PersistentDataStore, logger: LDLogger): DataSourceUpdates;
}

export const longLivedParts: LongLivedParts = {
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
