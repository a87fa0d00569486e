/**
 * The configuration of the StreamIngestionApi's REST API: stage options, the request model of `POST /events` and the
 * Kinesis `PutRecords` integration. Pure functions of the resolved props.
 */
import { Duration, aws_apigateway as apigw, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { RESERVED_DATA_FIELD, putRecordsTemplate } from './mapping-template';
import { KinesisLimits as K } from '../../private/kinesis-limits';

/** The `v1` stage: throttled, errors logged, metrics and tracing on, JSON access logs to the given group. */
export function stageOptions(throttlingRateLimit: number, throttlingBurstLimit: number, accessLogGroup: logs.ILogGroup): apigw.StageOptions {
  return {
    stageName: 'v1',
    throttlingRateLimit,
    throttlingBurstLimit,
    loggingLevel: apigw.MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    metricsEnabled: true,
    tracingEnabled: true,
    accessLogDestination: new apigw.LogGroupLogDestination(accessLogGroup),
    accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
  };
}

/** The request model of `POST /events`: 1–500 records, each a partition key and a `data` object matching `dataSchema`. */
export function putEventsModelSchema(dataSchema: apigw.JsonSchema | undefined): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'PutEvents',
    type: apigw.JsonSchemaType.OBJECT,
    required: ['records'],
    properties: {
      records: {
        type: apigw.JsonSchemaType.ARRAY,
        minItems: 1,
        maxItems: K.PUT_RECORDS_MAX_RECORDS,
        items: {
          type: apigw.JsonSchemaType.OBJECT,
          required: ['partitionKey', 'data'],
          properties: {
            // Kept in the record as _ingest.clientPartitionKey; the stream's partition key is the caller's identity.
            partitionKey: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: K.PARTITION_KEY_MAX_CHARS },
            // _ingest is what the API stamps on the record (mapping-template.ts): a client may not send its own.
            data: recordDataSchema(dataSchema),
          },
        },
      },
    },
  };
}

/** The model of one record's `data`: an object, matching the given schema (its version keyword dropped), without `_ingest`. */
function recordDataSchema(dataSchema: apigw.JsonSchema | undefined): apigw.JsonSchema {
  const reserved: apigw.JsonSchema = { type: apigw.JsonSchemaType.OBJECT, not: { required: [RESERVED_DATA_FIELD] } };
  if (dataSchema === undefined) return reserved;
  const { schema: _version, ...body } = dataSchema;
  return { allOf: [body, reserved] };
}

/** The AWS service integration that turns the request into a Kinesis `PutRecords` call with the given role. */
export function putRecordsIntegration(streamName: string, credentialsRole: iam.IRole): apigw.AwsIntegration {
  return new apigw.AwsIntegration({
    service: 'kinesis',
    action: 'PutRecords',
    options: {
      credentialsRole,
      passthroughBehavior: apigw.PassthroughBehavior.NEVER,
      // The Kinesis API takes its JSON protocol's content type, not the client's.
      requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
      requestTemplates: { 'application/json': putRecordsTemplate(streamName) },
      integrationResponses: [
        { statusCode: '200' },
        { statusCode: '400', selectionPattern: '4\\d{2}' },
        { statusCode: '500', selectionPattern: '5\\d{2}' },
      ],
      timeout: Duration.seconds(10),
    },
  });
}
