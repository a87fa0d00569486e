/**
 * The handler end to end over HTTP: the real AWS SDK v3 client against the fake service's JSON 1.1 endpoint
 * (moto 5.2.5 lacks StartApplication, StopApplication and ListApplicationSnapshots: see fake-flink.ts), and the
 * response PUT to a local server standing in for CloudFormation's pre-signed URL.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FakeFlink, VirtualClock } from './fake-flink';
import { sdkApi } from '../../../lambda/flink-app-control/api';
import { CfnResponseBody, MAX_RESPONSE_BYTES, parseRequest, sendResponse } from '../../../lambda/flink-app-control/cfn';
import { makeHandler } from '../../../lambda/flink-app-control/handler';

interface Received {
  readonly method: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: CfnResponseBody;
}

/** CloudFormation's side: records every response PUT to it. */
async function cloudFormation(statuses: number[] = []): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ method: req.method!, headers: req.headers, body: JSON.parse(body) });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/stack-response?X-Amz-Signature=abc`, received, close: () => new Promise((r) => server.close(() => r())) };
}

function event(requestType: 'Create' | 'Update' | 'Delete', responseUrl: string, props: Record<string, unknown>): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:control',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/1',
    RequestId: 'req-1',
    LogicalResourceId: 'AppStart',
    ResourceType: 'Custom::FlinkApplicationStart',
    ResourceProperties: { ServiceToken: 'x', ...props },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: String(props.ApplicationName ?? 'AppStart') }),
    ...(requestType === 'Update' ? { OldResourceProperties: { ServiceToken: 'x', ...props } } : {}),
  } as CloudFormationCustomResourceEvent;
}

describe('flink-app-control handler', () => {
  let fake: FakeFlink;
  let service: { endpoint: string; close: () => Promise<void> };
  let cfn: Awaited<ReturnType<typeof cloudFormation>>;
  let handler: ReturnType<typeof makeHandler>;
  // The handler's waits and deadline run on a virtual clock shared with the fake service: a test never depends on how
  // fast the machine is, and the time a run took is read off the clock the handler itself measures.
  let clock: VirtualClock;
  const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

  beforeEach(async () => {
    clock = new VirtualClock();
    fake = new FakeFlink(clock.now, 150);
    service = await fake.listen();
    cfn = await cloudFormation();
    const client = new KinesisAnalyticsV2Client({
      endpoint: service.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1,
    });
    handler = makeHandler({
      api: sdkApi(client),
      clock,
      pollMs: 25,
      marginMs: 100,
      send: sendResponse,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
  });

  afterEach(async () => {
    await service.close();
    await cfn.close();
  });

  test('Create: starts the new application without a snapshot and answers SUCCESS once it is RUNNING', async () => {
    fake.add('clicks');
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks', AllowNonRestoredState: 'false' }), context(10_000));
    expect(cfn.received).toHaveLength(1);
    expect(cfn.received[0].method).toBe('PUT');
    expect(cfn.received[0].body).toEqual(body);
    expect(body).toEqual({
      Status: 'SUCCESS',
      Reason: 'clicks: the application is RUNNING',
      PhysicalResourceId: 'clicks',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/1',
      RequestId: 'req-1',
      LogicalResourceId: 'AppStart',
      NoEcho: false,
      Data: { Status: 'RUNNING' },
    });
    // what went over the wire, as the SDK serialized it
    expect(fake.callsOf('StartApplication').map((c) => c.input)).toEqual([{
      ApplicationName: 'clicks',
      RunConfiguration: { ApplicationRestoreConfiguration: { ApplicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' }, FlinkRunConfiguration: { AllowNonRestoredState: false } },
    }]);
  });

  test('Update of a stopped application: restores the latest snapshot (paging through the list), non-restored state allowed', async () => {
    fake.add('clicks', { snapshots: [...Array(60).fill('DELETING'), 'READY'] });
    const body = await handler(event('Update', cfn.url, { ApplicationName: 'clicks', AllowNonRestoredState: 'true' }), context(10_000));
    expect(body.Status).toBe('SUCCESS');
    expect(fake.callsOf('ListApplicationSnapshots').length).toBeGreaterThanOrEqual(2);
    expect(fake.callsOf('StartApplication')[0].input.RunConfiguration).toEqual({
      ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' }, FlinkRunConfiguration: { AllowNonRestoredState: true },
    });
  });

  test('Create through ResourceInUse, ConcurrentModification and throttling errors, as the SDK parses them', async () => {
    fake.add('clicks');
    fake.failNext('StartApplication', 'ConcurrentModificationException');
    fake.failNext('StartApplication', 'ResourceInUseException');
    fake.failNext('DescribeApplication', 'ThrottlingException');
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks' }), context(15_000));
    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Status: 'RUNNING' } });
    expect(fake.callsOf('StartApplication')).toHaveLength(3);
  });

  test('Delete: stops gracefully (snapshot) and answers once READY', async () => {
    const app = fake.add('clicks', { status: 'RUNNING' });
    const body = await handler(event('Delete', cfn.url, { ApplicationName: 'clicks' }), context(10_000));
    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'clicks', Data: { Status: 'READY' } });
    expect(fake.callsOf('StopApplication').map((c) => c.input)).toEqual([{ ApplicationName: 'clicks', Force: false }]);
    expect(app.snapshots).toEqual(['READY']);
  });

  test('Delete of an application that no longer exists succeeds (ResourceNotFoundException over the wire)', async () => {
    const body = await handler(event('Delete', cfn.url, { ApplicationName: 'gone' }), context(10_000));
    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Status: 'ABSENT' } });
  });

  test('Delete after a Create that failed before naming the application uses the physical id', async () => {
    const e = event('Delete', cfn.url, {});
    expect(parseRequest(e)).toMatchObject({ goal: 'READY', applicationName: 'AppStart' });
    expect((await handler(e, context(5_000))).Status).toBe('SUCCESS');
  });

  test('an application stuck in STARTING: FAILED before the function times out, with the reason', async () => {
    fake.add('clicks', { stuckIn: 'STARTING' });
    const started = clock.t;
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks' }), context(1_100));
    // it gave up at its deadline (the 1,100 ms left minus the 100 ms kept to answer), not before, and answered before
    // the function would have timed out
    expect(clock.t - started).toBeGreaterThanOrEqual(1_000);
    expect(clock.t - started).toBeLessThan(1_100);
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(/^clicks \(Create\): the application is still STARTING after \d+ s \(wanted RUNNING\); it may be stuck/);
    expect(cfn.received[0].body.Status).toBe('FAILED');
  });

  test('a configuration the service rejects: FAILED with its message, at once', async () => {
    fake.add('clicks');
    fake.failNext('StartApplication', 'InvalidApplicationConfigurationException', 1, 'Code object not found');
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks' }), context(10_000));
    expect(body).toMatchObject({
      Status: 'FAILED', Reason: 'clicks (Create): StartApplication failed: InvalidApplicationConfigurationException: Code object not found',
    });
  });

  describe('a Delete never leaves the stack stuck', () => {
    test.each([
      ['access denied on StopApplication', (f: FakeFlink) => {
        f.add('clicks', { status: 'RUNNING' });
        f.failNext('StopApplication', 'AccessDeniedException', 1, 'not authorized to perform kinesisanalytics:StopApplication');
      }, /StopApplication failed: AccessDeniedException/],
      ['an application stuck in MAINTENANCE', (f: FakeFlink) => { f.add('clicks', { status: 'MAINTENANCE' }); }, /still MAINTENANCE/],
      ['a stop that never completes', (f: FakeFlink) => { f.add('clicks', { status: 'FORCE_STOPPING', stuckIn: 'FORCE_STOPPING' }); }, /still FORCE_STOPPING/],
    ])('%s: SUCCESS in time, with why it could not stop', async (_name, arrange, why) => {
      arrange(fake);
      // In time: the function's remaining time bounds the wait (timing itself is proven on a fake clock in properties.test.ts).
      const body = await handler(event('Delete', cfn.url, { ApplicationName: 'clicks' }), context(1_100));
      expect(cfn.received.map((r) => r.body.Status)).toEqual(['SUCCESS']);
      expect(body.Reason).toMatch(why);
      expect(body.Reason).toMatch(/not stopped, answered SUCCESS so that the stack can finish$/);
    });

    test('during a rollback too (a Delete without ApplicationName whose physical id names no application)', async () => {
      const e = { ...event('Delete', cfn.url, {}), PhysicalResourceId: 'never-created' } as CloudFormationCustomResourceEvent;
      fake.failNext('DescribeApplication', 'AccessDeniedException');
      expect((await handler(e, context(5_000))).Status).toBe('SUCCESS');
    });
  });

  test('a timeout is never reported as absent: the status was never read', async () => {
    fake.add('clicks');
    fake.failNext('DescribeApplication', 'ThrottlingException', 10_000);
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks' }), context(600));
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).not.toMatch(/absent/i);
    expect(body.Reason).toMatch(/timed out after \d+ s \(wanted RUNNING\) without reading the application's status \(last error: DescribeApplication failed: ThrottlingException/);
    expect(body.Data).toEqual({ Status: 'UNKNOWN' });
  });

  test('the response stays within 4,096 bytes whatever the error message holds (bytes, not characters)', async () => {
    fake.add('clicks');
    fake.failNext('StartApplication', 'InvalidArgumentException', 1, '€😀"\u0001'.repeat(1500));
    const body = await handler(event('Create', cfn.url, { ApplicationName: 'clicks' }), context(10_000));
    expect(body.Status).toBe('FAILED');
    expect(Buffer.byteLength(JSON.stringify(cfn.received[0].body))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(body.Reason).toMatch(/^clicks \(Create\): StartApplication failed: InvalidArgumentException: €😀.*\.\.\.$/s);
  });

  test('a request without ApplicationName: FAILED, never silence', async () => {
    const body = await handler(event('Create', cfn.url, {}), context(10_000));
    expect(body).toMatchObject({ Status: 'FAILED', Reason: 'unexpected error: ApplicationName is missing from the resource properties' });
    expect(cfn.received).toHaveLength(1);
  });
});

describe('sendResponse', () => {
  test('PUTs JSON with an empty content type (what the pre-signed URL was signed for), retrying a failed PUT', async () => {
    const cfn = await cloudFormation([500]);
    try {
      const body = { Status: 'SUCCESS', Reason: 'r', PhysicalResourceId: 'p', StackId: 's', RequestId: 'q', LogicalResourceId: 'l', NoEcho: false, Data: {} } as const;
      await sendResponse(cfn.url, body);
      expect(cfn.received).toHaveLength(2);
      expect(cfn.received[1].body).toEqual(body);
      expect(cfn.received[1].headers['content-type'] ?? '').toBe('');
      expect(Number(cfn.received[1].headers['content-length'])).toBe(JSON.stringify(body).length);
    } finally {
      await cfn.close();
    }
  });
});
