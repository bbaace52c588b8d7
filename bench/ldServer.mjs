// A minimal loopback HTTP server that serves a fixed flag payload at
// `GET /sdk/latest-all`, so the LaunchDarkly Node SDK can be initialised in
// polling mode from exactly the same data without any external network access.

import http from 'node:http';

/**
 * @param {string} payloadJson the body to serve
 * @returns {Promise<{baseUri: string, port: number, requests: () => number, close: () => Promise<void>}>}
 */
export async function startPayloadServer(payloadJson) {
  const body = Buffer.from(payloadJson, 'utf8');
  let requestCount = 0;
  const server = http.createServer((req, res) => {
    requestCount++;
    const path = (req.url || '').split('?')[0];
    if (req.method === 'GET' && path === '/sdk/latest-all') {
      // No keep-alive: a pooled socket the server has since timed out would fail a later
      // client's first poll, which the SDK retries only after its poll interval.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, connection: 'close' });
      res.end(body);
      return;
    }
    // Anything else (events, diagnostics, streaming) is not expected; refuse it.
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    port,
    baseUri: `http://127.0.0.1:${port}`,
    requests: () => requestCount,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * A loopback event service: accepts every `POST /bulk` once its body has arrived, and counts the
 * bytes posted.
 * @returns {Promise<{uri: string, bytes: () => number, close: () => Promise<void>}>}
 */
export async function startEventSink() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk) => (received += chunk.length));
    req.on('end', () => {
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    uri: `http://127.0.0.1:${port}`,
    bytes: () => received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/** A logger that discards everything (LDLogger shape). */
export const silentLogger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};
