/**
 * The handler's AWS SDK clients, created once per execution environment. Endpoints and Region come from the environment
 * (AWS_REGION, and AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>, which the SDK honours), so tests point them at the
 * moto server. Exported so that tests can add a fault-injecting middleware in front of it.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Throttled calls are retried by the SDK's adaptive retry strategy: exponential backoff with jitter, plus a client-side
 * rate limiter that slows down after throttling responses.
 */
const RETRYING = { maxAttempts: 5, retryMode: 'adaptive' } as const;

/**
 * The Kinesis client defaults to HTTP/2 (for SubscribeToShard); the handler makes only plain JSON calls, which HTTP/1.1
 * serves as well, and which emulators such as moto only speak.
 */
const HTTP1 = () => new NodeHttpHandler();

export const clients = {
  kinesis: new KinesisClient({ ...RETRYING, requestHandler: HTTP1() }),
  /**
   * UpdateShardCount only, without retries: Kinesis reports both its 10-per-24-h limit and its request rate limit as
   * LimitExceededException, which the SDK would retry as throttling. The handler keeps the intent instead and the scheduled
   * re-check retries it with backoff.
   */
  kinesisScaling: new KinesisClient({ maxAttempts: 1, requestHandler: HTTP1() }),
  cloudwatch: new CloudWatchClient(RETRYING),
  dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(RETRYING), { marshallOptions: { removeUndefinedValues: true } }),
  sns: new SNSClient(RETRYING),
};

export type Clients = typeof clients;
