/**
 * An AWS Lambda function, run by an EventBridge schedule (e.g. `rate(1 minute)`), that keeps a
 * DynamoDB table current with your LaunchDarkly environment in Relay Proxy's layout, for functions
 * reading it in daemon mode (`useLdd` with `dynamoDbStore`). A warm container asks LaunchDarkly
 * with the version it wrote (a 304 when unchanged); a cold one compares the table's item versions,
 * so an unchanged data set is never written again. A failed run fails the invocation; the next
 * scheduled one retries.
 *
 * Environment: LD_SDK_KEY, LD_TABLE, optional LD_PREFIX and LD_BASE_URI (a Relay Proxy); the AWS
 * region and credentials are the ones Lambda gives the function. In an application, import from
 * 'ldedge/sync' and 'ldedge/dynamodb'.
 */
import { dynamoDbStore } from '../../stores/dynamodb/index.js';
import { persistentStore, syncHandler } from '../../sync/index.js';

const env = process.env;

export const handler = syncHandler(() => ({
  sdkKey: env.LD_SDK_KEY ?? '',
  baseUri: env.LD_BASE_URI || undefined,
  target: persistentStore(
    dynamoDbStore({
      table: env.LD_TABLE ?? '',
      prefix: env.LD_PREFIX || undefined,
      region: env.AWS_REGION,
      endpoint: env.LD_DYNAMODB_ENDPOINT || undefined,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
      },
    }),
  ),
}));
