// Loaded before a snippet (node --import): sends its requests for LaunchDarkly's hosts to the
// loopback LaunchDarkly at LD_TEST_ORIGIN instead, so the snippet runs unchanged without network.
const origin = process.env.LD_TEST_ORIGIN;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
  if (!url.hostname.endsWith('.launchdarkly.com')) return realFetch(input, init);
  const to = new URL(url.pathname + url.search, origin);
  return realFetch(input instanceof Request ? new Request(to, input) : to, init);
};
