/** The background sources (streaming, polling loop), wired from configuration. */
import { PollingLoader } from './poll.js';
import { PollingDataSource } from './pollingLoop.js';
import { StreamingDataSource } from './streaming.js';
import type { BackgroundSources } from './types.js';

export const backgroundSources: BackgroundSources = {
  streaming: (config) =>
    new StreamingDataSource({
      http: config.http,
      streamUri: config.streamUri,
      filter: config.payloadFilterKey,
      initialReconnectDelayMs: config.initialReconnectDelayMs,
      logger: config.logger,
    }),
  polling: (config) =>
    new PollingDataSource(
      new PollingLoader(config.http, config.baseUri, config.payloadFilterKey),
      config.pollIntervalMs as number,
      config.logger,
    ),
};
