/**
 * "Everything on" stacks of the constructs, for the reachability test: each turns on what its construct's own
 * everything-on gate test turns on, with customer-managed keys where a construct accepts one (so that the key paths
 * are exercised, which the examples' AWS-managed stream keys skip).
 */
import {
  App, Duration, Size, Stack, aws_ec2 as ec2, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms,
  aws_opensearchservice as opensearch,
} from 'aws-cdk-lib';
import {
  AlarmTopic, DataLakeColumnType, DataLakeFormat, DeliverySource, DeliveryTransform, FlinkCode, FlinkApplication, FlinkRuntime,
  IotStreamRule, OpenSearchDelivery, OpenSearchTarget, PipelineStream, S3DataLakeDelivery, ScalingSensitivity, SessionConsumer,
  SqlScript, StreamIngestionApi,
} from '../../lib';
import { importedStream, importedVpc } from '../delivery/fixtures';
import { tmpFile } from '../flink/helpers';

export const ENV = { account: '123456789012', region: 'us-east-1' };

/** S3 data lake (Parquet through Glue, a transform Lambda, source backup) and OpenSearch (a domain in a VPC, backup of all). */
export function deliveryEverythingOn(app: App): Stack {
  const stack = new Stack(app, 'DeliveryEverythingOn', { env: ENV });
  new S3DataLakeDelivery(stack, 'Readings', {
    source: DeliverySource.fromStream(importedStream(stack)),
    deliveryStreamName: 'readings-lake',
    partitionKeys: ['site'],
    format: DataLakeFormat.PARQUET,
    schema: [
      { name: 'site', type: DataLakeColumnType.STRING },
      { name: 'temperature', type: DataLakeColumnType.DOUBLE },
    ],
    transform: DeliveryTransform.jsonRecords({ reservedConcurrentExecutions: 10 }),
    sourceBackup: true,
    bufferingInterval: Duration.seconds(120),
    bufferingSize: Size.mebibytes(64),
  });
  const source = new kinesis.Stream(stack, 'Anomalies', { encryption: kinesis.StreamEncryption.KMS });
  new OpenSearchDelivery(stack, 'Dashboards', {
    target: OpenSearchTarget.fromDomain(opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
      domainArn: `arn:aws:es:${ENV.region}:${ENV.account}:domain/readings`,
      domainEndpoint: 'https://search-readings-abc.us-east-1.es.amazonaws.com',
    })),
    indexName: 'readings',
    vpc: importedVpc(stack),
    source: DeliverySource.fromStream(source),
    backupMode: firehose.BackupMode.ALL,
  });
  return stack;
}

/** A Flink application on a customer-managed-key stream, in a VPC, with Kinesis and Firehose sinks and a dead-letter stream. */
export function flinkEverythingOn(app: App): Stack {
  const stack = new Stack(app, 'FlinkEverythingOn', { env: ENV });
  const key = new kms.Key(stack, 'StreamKey', { enableKeyRotation: true });
  const source = new PipelineStream(stack, 'Readings', { encryptionKey: key });
  const out = new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  const dlq = new kinesis.Stream(stack, 'Dlq', { encryption: kinesis.StreamEncryption.MANAGED });
  new FlinkApplication(stack, 'App', {
    sourceStream: source.stream,
    sourceConsumer: source.addConsumer('Anomalies'),
    kinesisSinks: { sink: out },
    firehoseSinks: { archive: firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Archive', 'iot-archive') },
    deadLetterStream: dlq,
    code: FlinkCode.sqlRunner({ jarPath: tmpFile() }),
    runtime: FlinkRuntime.FLINK_1_19,
    sqlScript: SqlScript.IOT_ANOMALIES,
    applicationName: 'iot-anomalies',
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    }),
  });
  return stack;
}

/** A customer-managed-key stream with its autoscaler (lag guard on), a session consumer, an IoT rule and the ingestion API. */
export function streamEverythingOn(app: App): Stack {
  const stack = new Stack(app, 'StreamEverythingOn', { env: ENV });
  const key = new kms.Key(stack, 'StreamKey', { enableKeyRotation: true });
  const clicks = new PipelineStream(stack, 'Clicks', { encryptionKey: key, shardCount: 4 });
  const sessionsConsumer = clicks.addConsumer('Sessions');
  clicks.enableAutoscaling({
    minShards: 2,
    maxShards: 64,
    targetUtilization: 0.6,
    scaleOutSensitivity: ScalingSensitivity.MEDIUM,
    scaleInSensitivity: ScalingSensitivity.LOW,
    lagGuard: Duration.minutes(5),
    lagGuardConsumers: [sessionsConsumer.streamConsumerName],
  });
  const summaries = new kinesis.Stream(stack, 'Summaries', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  new SessionConsumer(stack, 'Sessions', {
    stream: clicks.stream,
    consumer: sessionsConsumer,
    summaryStream: summaries,
    alarms: { alarmTopic: new AlarmTopic(stack, 'Ops').topic },
  });
  new IotStreamRule(stack, 'Rule', { stream: clicks.stream, ruleName: 'devices_to_clicks' });
  new StreamIngestionApi(stack, 'Api', { stream: clicks.stream });
  return stack;
}
