/**
 * Points the example's requests to LaunchDarkly at the loopback mock. Imported before the example
 * so the client captures this `fetch`.
 */
declare const MOCK_URI: string;

const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return realFetch(url.replace(/^https:\/\/(events|sdk)\.launchdarkly\.com/, MOCK_URI), init);
};
