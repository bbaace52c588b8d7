/**
 * An AWS Lambda function behind API Gateway that evaluates a flag per request.
 *
 * Environment: LD_SDK_KEY; LD_BASE_URI and LD_EVENTS_URI to use a Relay Proxy instead of
 * LaunchDarkly. In an application, import from 'ldedge/lambda'.
 */
import { withLaunchDarkly } from '../../runtimes/lambda/index.js';

interface ApiGatewayEvent {
  queryStringParameters?: Record<string, string | undefined> | null;
}

interface ApiGatewayResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export const handler = withLaunchDarkly(
  {
    sdkKey: process.env.LD_SDK_KEY ?? '',
    baseUri: process.env.LD_BASE_URI,
    eventsUri: process.env.LD_EVENTS_URI,
    // Flags are re-polled (a 304 when unchanged) by the first invocation after a minute.
    cacheTtl: 60,
  },
  async (event: ApiGatewayEvent, _context, ld): Promise<ApiGatewayResult> => {
    const userKey = event.queryStringParameters?.user;
    const context = userKey ? { kind: 'user', key: userKey } : { kind: 'user', key: 'anonymous', anonymous: true };
    const detail = ld.boolVariationDetail('new-checkout', context, false);
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ newCheckout: detail.value, reason: detail.reason }),
    };
  },
);
