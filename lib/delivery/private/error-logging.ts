import { RemovalPolicy, aws_kinesisfirehose as firehose, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeliveryPermissions } from './delivery-permissions';
import { encryptedLogGroup } from '../../private/encrypted-log-group';

/** The log streams Firehose writes delivery errors to, named as the Firehose console names them. */
export enum ErrorLogStream {
  /** Errors of delivery to the destination (and of transformation and conversion). */
  DESTINATION = 'DestinationDelivery',
  /** Errors of delivery to the S3 backup. */
  BACKUP = 'BackupDelivery',
  /** Errors of staging in S3 before a Redshift COPY. */
  STAGING = 'StagingDelivery',
}

/**
 * CloudWatch error logging of one delivery stream: an explicit KMS-encrypted log group with retention (child
 * `LogGroup`) unless one is given, one log stream per kind of error (children `DestinationLogStream`, `BackupLogStream`, `StagingLogStream`),
 * and a role allowed to put events into those streams only.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html
 */
export class ErrorLogging {
  public readonly logGroup: logs.ILogGroup;
  private readonly streams = new Map<ErrorLogStream, logs.LogStream>();
  private readonly owned: boolean;

  constructor(private readonly scope: Construct, private readonly permissions: DeliveryPermissions, logGroup?: logs.ILogGroup) {
    this.logGroup = logGroup ?? encryptedLogGroup(scope, 'LogGroup');
    this.owned = logGroup === undefined;
  }

  /** Logging options for one kind of error; creates its stream and permission the first time. */
  public options(kind: ErrorLogStream): firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty {
    let stream = this.streams.get(kind);
    if (!stream) {
      const id = { [ErrorLogStream.DESTINATION]: 'DestinationLogStream', [ErrorLogStream.BACKUP]: 'BackupLogStream', [ErrorLogStream.STAGING]: 'StagingLogStream' }[kind];
      stream = new logs.LogStream(this.scope, id, {
        logGroup: this.logGroup,
        // Fixed names in a log group of our own; generated ones in a shared group, where they must not collide.
        logStreamName: this.owned ? kind : undefined,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.streams.set(kind, stream);
      this.permissions.allowLogStreams(this.logGroup, [stream.logStreamName]);
    }
    return { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: stream.logStreamName };
  }
}
