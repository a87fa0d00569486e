/**
 * The handler's steps run on the dependencies they are given (`makeHandler`), without an AWS endpoint: a fake of the
 * autoscaler's AWS calls records what each invocation asks for. The behaviour against a real API is handler.test.ts's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AutoscalerAws, StreamNotFoundError, StreamView } from '../../../lambda/shard-autoscaler/aws';
import { makeHandler } from '../../../lambda/shard-autoscaler/handler';
import { AutoscalerState } from '../../../lambda/shard-autoscaler/state';
import { AutoscalerHandlerConfig, CONFIG_ENV } from '../../../lib/scaling/private/handler-config';

const config: AutoscalerHandlerConfig = {
  streamName: 'clicks',
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
  tableName: 'state',
  topicArn: 'arn:aws:sns:us-east-1:123456789012:reports',
  alarmNames: { scaleOutThrottling: 'a-ScaleOutThrottling', scaleOutUtilization: 'a-ScaleOutUtilization', scaleInUtilization: 'a-ScaleInUtilization' },
  minShards: 1,
  maxShards: 8,
  targetUtilization: 0.6,
  scaleOutSensitivity: 'high',
  scaleInSensitivity: 'medium',
  lagGuardConsumers: [],
  lagGuardIteratorAge: true,
  dryRun: false,
};
const SCHEDULE = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'time': '2026-12-07T10:00:00Z' };

/** An in-memory AutoscalerAws: a stream as given (or none), one state item, and a log of the calls made. */
function fakeAws(stream: StreamView | undefined, initial?: AutoscalerState) {
  const calls: string[] = [];
  const published: string[] = [];
  let item: { state?: AutoscalerState; version: number } = { state: initial, version: 0 };
  const aws: AutoscalerAws = {
    async describeStream() {
      calls.push('describeStream');
      if (!stream) throw new StreamNotFoundError('Stream clicks under account 123456789012 not found.');
      return stream;
    },
    async loadState() {
      calls.push('loadState');
      return { state: item.state ?? { calls: [], followUp: false }, version: item.version };
    },
    async saveState(_c, state, version) {
      calls.push('saveState');
      item = { state, version: version + 1 };
      return item.version;
    },
    async describeAlarms() {
      calls.push('describeAlarms');
      return [];
    },
    async rewriteAlarms() {
      calls.push('rewriteAlarms');
      return [];
    },
    async getMetricData() {
      calls.push('getMetricData');
      return [];
    },
    async updateShardCount() {
      calls.push('updateShardCount');
    },
    async publish(_topic, subject) {
      calls.push('publish');
      published.push(subject);
    },
  };
  return { aws, calls, published };
}

function handlerWith(aws: AutoscalerAws) {
  return makeHandler({
    aws,
    clock: { now: () => Date.parse('2026-12-07T10:00:30Z') },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    env: { [CONFIG_ENV]: JSON.stringify(config) },
  });
}

describe('shard autoscaler handler steps', () => {
  test('a deleted stream is reported once, through the given dependencies, and nothing else is called', async () => {
    const fake = fakeAws(undefined);
    const handler = handlerWith(fake.aws);
    expect((await handler(SCHEDULE)).action).toBe('stream-deleted');
    expect((await handler(SCHEDULE)).action).toBe('stream-deleted');
    expect(fake.published).toEqual(['Shard autoscaler: clicks does not exist']);
    expect(fake.calls.filter((c) => !['describeStream', 'loadState', 'saveState', 'publish'].includes(c))).toEqual([]);
  });

  test('an on-demand stream stops after the load: reported once, no alarm, metric or scaling call', async () => {
    const fake = fakeAws({ status: 'ACTIVE', openShards: 4, mode: 'ON_DEMAND' });
    const handler = handlerWith(fake.aws);
    expect((await handler(SCHEDULE)).action).toBe('on-demand');
    expect((await handler(SCHEDULE)).action).toBe('on-demand');
    expect(fake.published).toEqual(['Shard autoscaler: clicks is on-demand']);
    expect(fake.calls).not.toContain('describeAlarms');
    expect(fake.calls).not.toContain('updateShardCount');
  });

  test('a quiet provisioned stream within its bounds, rest-checked a minute ago, is left alone: idle, no metrics read', async () => {
    const aMinuteAgo = Date.parse('2026-12-07T09:59:30Z');
    const fake = fakeAws({ status: 'ACTIVE', openShards: 4, mode: 'PROVISIONED' }, { calls: [], followUp: false, lastRestCheckMs: aMinuteAgo });
    const outcome = await handlerWith(fake.aws)(SCHEDULE);
    expect(outcome).toMatchObject({ action: 'idle', openShards: 4, alarmsRewritten: [] });
    expect(fake.calls).toEqual(['describeStream', 'loadState', 'describeAlarms']);
  });

  test('a quiet stream never rest-checked, with no call for 24 h, is evaluated: its metrics are read', async () => {
    const fake = fakeAws({ status: 'ACTIVE', openShards: 4, mode: 'PROVISIONED' });
    await handlerWith(fake.aws)(SCHEDULE);
    expect(fake.calls.slice(0, 4)).toEqual(['describeStream', 'loadState', 'describeAlarms', 'getMetricData']);
  });
});
