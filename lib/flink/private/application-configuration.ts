/**
 * The configuration of a FlinkApplication, built from its resolved props: the runtime properties the job reads and the
 * application's L1 props. Pure functions (the caller creates the resources).
 */
import { Duration, aws_ec2 as ec2, aws_kinesis as kinesis, aws_kinesisanalyticsv2 as kda, aws_kinesisfirehose as firehose } from 'aws-cdk-lib';
import {
  DLQ_STREAM_ARN, SOURCE_EFO_CONSUMER_ARN, SOURCE_EFO_CONSUMER_NAME, SOURCE_STREAM_ARN, SQL_PARAMETERS_GROUP, SQL_STATEMENTS_GROUP,
  renderSqlStatements, sinkDeliveryStreamNameKey, sinkStreamArnKey,
} from './job-properties';
import type { FlinkCodeConfig } from '../code';
import type { SqlScriptConfig } from '../sql-script';

/** What the job reads and writes, as the construct fills the placeholders of its SQL. */
export interface JobEndpoints {
  readonly sourceStream: kinesis.IStream;
  readonly sourceConsumer: kinesis.IStreamConsumer;
  readonly kinesisSinks?: Record<string, kinesis.IStream>;
  readonly firehoseSinks?: Record<string, firehose.IDeliveryStream>;
  readonly deadLetterStream?: kinesis.IStream;
}

/** The SQL parameters the construct fills from its props: the source, its consumer, each sink and the dead-letter stream. */
export function constructSqlParameters(endpoints: JobEndpoints): Record<string, string> {
  const parameters: Record<string, string> = {
    [SOURCE_STREAM_ARN]: endpoints.sourceStream.streamArn,
    [SOURCE_EFO_CONSUMER_ARN]: endpoints.sourceConsumer.streamConsumerArn,
    [SOURCE_EFO_CONSUMER_NAME]: endpoints.sourceConsumer.streamConsumerName,
  };
  for (const [name, sink] of Object.entries(endpoints.kinesisSinks ?? {})) parameters[sinkStreamArnKey(name)] = sink.streamArn;
  for (const [name, sink] of Object.entries(endpoints.firehoseSinks ?? {})) parameters[sinkDeliveryStreamNameKey(name)] = sink.deliveryStreamName;
  if (endpoints.deadLetterStream) parameters[DLQ_STREAM_ARN] = endpoints.deadLetterStream.streamArn;
  return parameters;
}

/** The SQL to run and its sources of statements and parameters, as the props give them. */
export interface JobSql {
  readonly sqlStatements?: string[];
  readonly sqlScript?: SqlScriptConfig;
  readonly sqlParameters?: Record<string, string>;
  readonly propertyGroups?: Record<string, Record<string, string>>;
}

/** Runtime property groups: which SQL runs, the values of its placeholders (the construct's, then the user's), the user's groups. */
export function jobPropertyGroups(sql: JobSql, constructParameters: Record<string, string>): Record<string, Record<string, string>> {
  const groups: Record<string, Record<string, string>> = {};
  if (sql.sqlStatements) groups[SQL_STATEMENTS_GROUP] = renderSqlStatements(sql.sqlStatements);
  if (sql.sqlScript) groups[SQL_STATEMENTS_GROUP] = sql.sqlScript.properties;
  groups[SQL_PARAMETERS_GROUP] = { ...constructParameters, ...sql.sqlParameters };
  Object.assign(groups, sql.propertyGroups);
  return groups;
}

/** Everything the application's L1 is made from, defaults applied. */
export interface ApplicationSettings {
  readonly applicationName?: string;
  readonly description: string;
  readonly runtime: string;
  readonly roleArn: string;
  readonly code: FlinkCodeConfig;
  readonly propertyGroups: Record<string, Record<string, string>>;
  readonly snapshotsEnabled: boolean;
  readonly checkpointInterval: Duration;
  readonly minPauseBetweenCheckpoints: Duration;
  readonly parallelism: number;
  readonly parallelismPerKpu: number;
  readonly autoScalingEnabled: boolean;
  readonly logLevel: string;
  readonly metricsLevel: string;
  readonly allowNonRestoredState: boolean;
  /** The subnets and security groups, when the application runs in a VPC. */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroups: ec2.ISecurityGroup[] };
}

/** The application's L1 props: checkpointing explicitly on, custom parallelism and monitoring, restore from the latest snapshot. */
export function applicationProps(s: ApplicationSettings): kda.CfnApplicationProps {
  return {
    applicationName: s.applicationName,
    applicationDescription: s.description,
    runtimeEnvironment: s.runtime,
    serviceExecutionRole: s.roleArn,
    applicationConfiguration: {
      applicationCodeConfiguration: {
        codeContentType: 'ZIPFILE',
        codeContent: {
          s3ContentLocation: {
            bucketArn: s.code.bucket.bucketArn,
            fileKey: s.code.fileKey,
            objectVersion: s.code.objectVersion,
          },
        },
      },
      applicationSnapshotConfiguration: { snapshotsEnabled: s.snapshotsEnabled },
      environmentProperties: {
        propertyGroups: Object.entries(s.propertyGroups).map(([propertyGroupId, propertyMap]) => ({ propertyGroupId, propertyMap })),
      },
      flinkApplicationConfiguration: {
        checkpointConfiguration: {
          configurationType: 'CUSTOM',
          checkpointingEnabled: true,
          checkpointInterval: s.checkpointInterval.toMilliseconds(),
          minPauseBetweenCheckpoints: s.minPauseBetweenCheckpoints.toMilliseconds(),
        },
        parallelismConfiguration: {
          configurationType: 'CUSTOM',
          parallelism: s.parallelism,
          parallelismPerKpu: s.parallelismPerKpu,
          autoScalingEnabled: s.autoScalingEnabled,
        },
        monitoringConfiguration: {
          configurationType: 'CUSTOM',
          logLevel: s.logLevel,
          metricsLevel: s.metricsLevel,
        },
      },
      vpcConfigurations: s.vpc ? [{
        subnetIds: s.vpc.subnetIds,
        securityGroupIds: s.vpc.securityGroups.map((sg) => sg.securityGroupId),
      }] : undefined,
    },
    // Used by CloudFormation when it updates a RUNNING application.
    runConfiguration: {
      applicationRestoreConfiguration: {
        applicationRestoreType: s.snapshotsEnabled ? 'RESTORE_FROM_LATEST_SNAPSHOT' : 'SKIP_RESTORE_FROM_SNAPSHOT',
      },
      flinkRunConfiguration: { allowNonRestoredState: s.allowNonRestoredState },
    },
  };
}
