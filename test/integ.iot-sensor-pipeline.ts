/**
 * Integration test of `IotSensorPipeline` for integ-runner: deploys the pipeline, puts sensor readings into the readings
 * stream and waits for the results in the S3 data lake.
 *
 * - CI has no AWS account: `npm run integ:snapshot` synthesizes this app and compares it with the committed
 *   `integ.iot-sensor-pipeline.ts.snapshot/` (asset hashes are ignored), never deploying.
 * - With an account (about 45 minutes, under $1: a Flink application of 2 KPUs, 4 one-shard streams, 4 Firehose streams):
 *   `npm run bundle:lambda && npm run flink:build`, then
 *   `npx integ-runner --language typescript --directory test --app 'npx tsx {filePath}' --update-on-failed
 *   --disable-update-workflow --parallel-regions us-east-1 integ.iot-sensor-pipeline.ts` (add `--force` when the snapshot is
 *   unchanged). It deploys, runs the assertions, destroys the stack and, on success, rewrites the snapshot.
 *
 * What is checked, in order:
 * 1. warm-up readings put into the readings stream reach `raw/` (Firehose raw archive, up to 300 s of buffering). This
 *    also gives the Flink job, which reads from LATEST once RUNNING, time to subscribe through its EFO consumer;
 * 2. the test readings (a baseline, one temperature spike, readings of a second device, two malformed records) then come
 *    out of Flink and through Firehose (dynamic partitioning: up to 1.5 × 300 s) as `anomalies/device_id=it-sensor-1/…`,
 *    `machine-minutes/machine_id=it-press-1/…` and `dead-letters/…`.
 * The readings go straight to the stream, shaped as the topic rule writes them: IoT Core's data plane needs the
 * account's own endpoint, which the assertion provider cannot be given, so the topic rule is deployed but not exercised.
 * OpenSearch is off (a collection bills by the hour and its documents are not readable through AWS API calls).
 *
 * Clean-up: the streams, the Flink application and the data lake bucket (emptied first) are destroyed with the stack.
 * Retained by the library's defaults, to delete by hand after a run: the alarm topic's KMS key and 8 log groups (Flink,
 * the topic rule's errors, the 4 Firehose streams, the autoscaler, the Flink control function) with their KMS keys, all
 * named after the stack.
 * No cdk-nag packs here: the assertion stack's Lambda functions would not pass them; `npm run synth` gates the library.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { CapacityMode, IotSensorPipeline } from '../lib';
import { PipelineAssertions, deletableDataLake, integStack } from './support/integ';

/** Event times of the readings: fixed, so that the synthesized template (and the snapshot) never changes. */
const WARM_UP_START = Date.UTC(2025, 0, 1, 0, 0, 0);
const TEST_START = WARM_UP_START + 3_600_000;

interface Reading {
  readonly deviceId: string;
  readonly machineId: string;
  readonly ts: number;
  readonly temperature: number;
  readonly vibration: number;
  readonly pressure: number;
}

/** Small deterministic deviations around a device's mean reading. */
const JITTER = [0.2, -0.1, 0.3, -0.2, 0.1, 0, -0.3, 0.2, -0.1, 0.1, 0, -0.2];

function reading(deviceId: string, ts: number, i: number, temperature = 70 + JITTER[i % JITTER.length]): Reading {
  const j = JITTER[(i + 3) % JITTER.length];
  return { deviceId, machineId: 'it-press-1', ts, temperature: round(temperature), vibration: round(0.012 + j / 100), pressure: round(101.3 + j) };
}

/** Three decimals, so that the records hold no floating-point noise. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Warm-up: a minute of one device's readings, for the raw archive. */
const warmUp: Reading[] = Array.from({ length: 6 }, (_, i) => reading('it-warm-up', WARM_UP_START + i * 10_000, i));

/**
 * The test: it-sensor-1 and it-sensor-2 read every 10 s for two minutes (12 readings each, temperature 70 ± 0.3); then
 * it-sensor-1 reads 95 °C, about 140 σ away (an anomaly at the default 3 σ after at least 5 prior readings); readings a
 * minute later move the watermark (event time − 5 s) past the spike and close the one-minute machine windows.
 */
const testReadings: Reading[] = [
  ...Array.from({ length: 12 }, (_, i) => [
    reading('it-sensor-1', TEST_START + i * 10_000, i),
    reading('it-sensor-2', TEST_START + i * 10_000, i + 5),
  ]).flat(),
  reading('it-sensor-1', TEST_START + 120_000, 12, 95),
  reading('it-sensor-2', TEST_START + 120_000, 12),
  reading('it-sensor-1', TEST_START + 180_000, 13),
  reading('it-sensor-2', TEST_START + 190_000, 14),
];

/** Records the job cannot use: not JSON, and a reading without machineId. */
const malformed = [
  { data: 'not json at all', partitionKey: 'it-bad' },
  { data: JSON.stringify({ deviceId: 'it-bad', ts: TEST_START + 60_000, temperature: 1 }), partitionKey: 'it-bad' },
];

/** A record as the topic rule writes it: the payload, the device id from the topic, the ingestion time. */
function asRuleRecord(r: Reading): { data: string; partitionKey: string } {
  return { data: JSON.stringify({ ...r, ingestedAt: r.ts + 150 }), partitionKey: r.deviceId };
}

const { app, stack } = integStack('IotSensorPipelineInteg');

const bucket = deletableDataLake(stack);

// A small fleet (20 readings/s at peak): a provisioned one-shard readings stream with the autoscaler.
const pipeline = new IotSensorPipeline(stack, 'Sensors', {
  fleet: { devices: 100, messagesPerDevicePerSecond: 0.2, averageMessageSize: Size.bytes(600) },
  capacityMode: CapacityMode.AUTO,
  anomalySigma: 3,
  dataLakeBucket: bucket,
});
for (const s of [pipeline.readings, pipeline.anomalies, pipeline.aggregates, pipeline.deadLetters]) {
  s.stream.applyRemovalPolicy(RemovalPolicy.DESTROY);
}
pipeline.application.cfnApplication.applyRemovalPolicy(RemovalPolicy.DESTROY);

const integ = new IntegTest(app, 'IotSensorPipelineTest', {
  testCases: [stack],
  // Nothing to update from, and without the update workflow integ-runner keeps the asset bundles out of the snapshot.
  stackUpdateWorkflow: false,
  cdkCommandOptions: { destroy: { args: { force: true } } },
});
const checks = new PipelineAssertions(integ, bucket);
const putRecords = checks.putRecords.bind(checks);
const waitForObject = checks.waitForObject.bind(checks);


const DATE_PARTITIONS = 'year=\\d{4}/month=\\d{2}/day=\\d{2}/';

const putWarmUp = putRecords(pipeline.readings.stream, warmUp.map(asRuleRecord));
const rawArchived = putWarmUp.next(waitForObject('raw/', `^raw/${DATE_PARTITIONS}`, Duration.minutes(15)));
const putTest = rawArchived.next(putRecords(pipeline.readings.stream, [...testReadings.map(asRuleRecord), ...malformed]));

// Flink emits within seconds of the watermark; Firehose with dynamic partitioning delivers within about 1.5 × 300 s.
const resultTimeout = Duration.minutes(20);
putTest.next(waitForObject('anomalies/', `^anomalies/device_id=it-sensor-1/${DATE_PARTITIONS}`, resultTimeout));
putTest.next(waitForObject('machine-minutes/', `^machine-minutes/machine_id=it-press-1/${DATE_PARTITIONS}`, resultTimeout));
putTest.next(waitForObject('dead-letters/', `^dead-letters/${DATE_PARTITIONS}`, resultTimeout));

app.synth();
