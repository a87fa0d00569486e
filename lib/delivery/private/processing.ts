import { aws_iam as iam, aws_kinesisfirehose as firehose } from 'aws-cdk-lib';
import type { DeliveryTransformConfig } from '../delivery-transform';
import { DeliveryPermissions } from './delivery-permissions';

type Processor = firehose.CfnDeliveryStream.ProcessorProperty;

export interface ProcessingOptions {
  /** A Lambda transform, run first. */
  readonly transform?: DeliveryTransformConfig;
  /** JQ 1.6 expressions of the dynamic-partitioning keys, by key name. */
  readonly partitionQueries?: Record<string, string>;
  /** End every record with a newline (the AppendDelimiterToRecord processor). */
  readonly appendNewline?: boolean;
}

/**
 * The processing configuration of a destination: the Lambda transform (with permission to invoke that one function),
 * the inline JQ extraction of dynamic-partitioning keys, and the newline delimiter.
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_Processor.html
 */
export function renderProcessing(
  permissions: DeliveryPermissions, options: ProcessingOptions,
): firehose.CfnDeliveryStream.ProcessingConfigurationProperty | undefined {
  const processors: Processor[] = [];
  if (options.transform) {
    const t = options.transform;
    // Firehose invokes the unqualified function ARN; nothing else is needed (no `:*` qualifiers).
    permissions.add(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
      resources: [t.function.functionArn],
    }));
    processors.push({
      type: 'Lambda',
      parameters: [
        { parameterName: 'LambdaArn', parameterValue: t.function.functionArn },
        { parameterName: 'BufferSizeInMBs', parameterValue: formatMegabytes(t.bufferKiB) },
        { parameterName: 'BufferIntervalInSeconds', parameterValue: String(t.bufferIntervalSeconds) },
        { parameterName: 'NumberOfRetries', parameterValue: String(t.retries) },
        { parameterName: 'RoleArn', parameterValue: permissions.role.roleArn },
      ],
    });
  }
  const queries = Object.entries(options.partitionQueries ?? {});
  if (queries.length > 0) {
    processors.push({
      type: 'MetadataExtraction',
      parameters: [
        { parameterName: 'MetadataExtractionQuery', parameterValue: `{${queries.map(([key, jq]) => `${key}:${jq}`).join(',')}}` },
        { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
      ],
    });
  }
  if (options.appendNewline) processors.push({ type: 'AppendDelimiterToRecord', parameters: [] });
  return processors.length > 0 ? { enabled: true, processors } : undefined;
}

/** MB as Firehose reads them ("1", "0.25"). */
function formatMegabytes(kib: number): string {
  return String(Math.round((kib / 1024) * 1000) / 1000);
}
