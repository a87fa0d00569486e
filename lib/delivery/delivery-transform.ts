import { Duration, Size, SizeRoundingBehavior, aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FirehoseLimits as L } from './private/firehose-limits';
import { secondsOf } from './private/validation';
import { propError } from '../private/errors';
import { NodeFunction } from '../private/node-function';

/** How Firehose batches records for a Lambda transform. */
export interface TransformBufferingOptions {
  /**
   * Data Firehose buffers before it invokes the function, 0.2–3 MB. Keep it well under Lambda's 6 MB synchronous
   * payload limit: the response carries the transformed records, base64-encoded.
   * @default Size.mebibytes(1)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
   */
  readonly bufferSize?: Size;
  /**
   * Longest Firehose waits before it invokes the function, 0–900 s. Adds to the delivery latency.
   * @default Duration.seconds(60)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
   */
  readonly bufferInterval?: Duration;
  /**
   * Times Firehose retries an invocation that fails (timeout, throttling, error); then the batch goes to the error
   * output as `processing-failed`. A whole number ≥ 0.
   * @default 3
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html
   */
  readonly retries?: number;
}

/** Options of the library's JSON record transform. */
export interface JsonRecordsTransformOptions extends TransformBufferingOptions {
  /**
   * Field added to every record with the time Firehose received it (ISO-8601, UTC, from the record's approximate
   * arrival timestamp). Empty string: add nothing.
   * @default 'ingested_at'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
   */
  readonly ingestTimestampField?: string;
  /**
   * Records larger than this once transformed are marked `ProcessingFailed` (they reach the error output, the rest of
   * the batch is delivered). Between 1 KiB and 1,000 KiB, the largest record Firehose accepts.
   * @default Size.kibibytes(1000)
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecord.html
   */
  readonly maxRecordSize?: Size;
  /**
   * Reserved concurrency of the function, so a burst of deliveries cannot starve the account's other functions.
   * @default - no reservation
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrentExecutions?: number;
}

/** How a delivery binds its transform. */
export interface DeliveryTransformBindOptions {
  /**
   * The library's transform ends each record with a newline (off when the delivery adds a delimiter itself).
   * @default false
   */
  readonly appendNewline?: boolean;
}

/** What a `DeliveryTransform` contributes to one delivery stream: the Lambda processor and its parameters. */
export interface DeliveryTransformConfig {
  /** The function Firehose invokes. */
  readonly function: lambda.IFunction;
  /** Buffer Firehose fills before invoking, KiB. */
  readonly bufferKiB: number;
  /** Longest Firehose buffers before invoking, seconds. */
  readonly bufferIntervalSeconds: number;
  /** Retries of a failed invocation. */
  readonly retries: number;
}

/**
 * A Lambda function Firehose runs on each batch of records before delivery.
 *
 * Firehose is a loader, not a stream processor: the transform sees one buffered batch at a time, with no state, no
 * ordering across batches and no joins or windows, and every record it returns must keep its `recordId`. Use it for
 * per-record work (validate, enrich with a constant or a timestamp, reformat, drop); do anything that needs state or
 * several records together in a stream processor (Managed Service for Apache Flink) upstream.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export class DeliveryTransform {
  /**
   * The library's transform (lambda/firehose-transform): parses each record as a JSON object, adds the ingest timestamp,
   * writes it back as one line of JSON, and marks records that are not JSON objects or are too large
   * `ProcessingFailed`, without failing the batch. Created as child `Transform` of the delivery (Node.js 22, arm64,
   * X-Ray, KMS-encrypted log group).
   */
  public static jsonRecords(options: JsonRecordsTransformOptions = {}): DeliveryTransform {
    return new DeliveryTransform(undefined, options);
  }

  /** Your own function. It must answer in the Firehose transformation format (recordId, result, data). */
  public static fromFunction(fn: lambda.IFunction, options: TransformBufferingOptions = {}): DeliveryTransform {
    return new DeliveryTransform(fn, options);
  }

  private constructor(
    private readonly fn: lambda.IFunction | undefined,
    private readonly options: JsonRecordsTransformOptions,
  ) {}

  /**
   * Whether this is the library's transform (which can end records with a newline itself).
   * @internal
   */
  public get _isLibraryFunction(): boolean {
    return this.fn === undefined;
  }

  /**
   * Binds the transform to the delivery `scope`: checks the options against Firehose's limits and creates the function,
   * if it is the library's one (child `Transform` of scope).
   */
  public bind(scope: Construct, options: DeliveryTransformBindOptions = {}): DeliveryTransformConfig {
    const appendNewline = options.appendNewline ?? false;
    const o = this.options;
    const kib = o.bufferSize === undefined || o.bufferSize.isUnresolved()
      ? L.TRANSFORM_DEFAULT_BUFFER_KIB
      : o.bufferSize.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (kib < L.TRANSFORM_MIN_BUFFER_KIB || kib > L.TRANSFORM_MAX_BUFFER_KIB) {
      throw propError(scope, 'transform.bufferSize', `${kib} KiB`, 'must be from 0.2 to 3 MB');
    }
    const seconds = secondsOf(o.bufferInterval) ?? L.TRANSFORM_DEFAULT_BUFFER_INTERVAL_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > L.TRANSFORM_MAX_BUFFER_INTERVAL_SECONDS) {
      throw propError(scope, 'transform.bufferInterval', seconds, `must be a whole number of seconds from 0 to ${L.TRANSFORM_MAX_BUFFER_INTERVAL_SECONDS}`);
    }
    const retries = o.retries ?? L.TRANSFORM_DEFAULT_RETRIES;
    if (!Number.isInteger(retries) || retries < 0) throw propError(scope, 'transform.retries', retries, 'must be a whole number ≥ 0');

    const fn = this.fn ?? this.createFunction(scope, appendNewline);
    return { function: fn, bufferKiB: kib, bufferIntervalSeconds: seconds, retries };
  }

  private createFunction(scope: Construct, appendNewline: boolean): lambda.IFunction {
    const o = this.options;
    const maxBytes = o.maxRecordSize === undefined || o.maxRecordSize.isUnresolved()
      ? L.MAX_RECORD_BYTES
      : o.maxRecordSize.toBytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(maxBytes) || maxBytes < 1024 || maxBytes > L.MAX_RECORD_BYTES) {
      throw propError(scope, 'transform.maxRecordSize', `${maxBytes} bytes`, 'must be a whole number of bytes from 1 KiB to 1,000 KiB');
    }
    const field = o.ingestTimestampField ?? 'ingested_at';
    if (field !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
      throw propError(scope, 'transform.ingestTimestampField', field, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*) or empty');
    }
    const transform = new NodeFunction(scope, 'Transform', {
      handlerName: 'firehose-transform',
      description: `Validates and timestamps the JSON records of ${scope.node.path}`,
      timeout: Duration.minutes(1),
      memorySize: 256,
      reservedConcurrentExecutions: o.reservedConcurrentExecutions,
      environment: {
        INGEST_TIMESTAMP_FIELD: field,
        MAX_RECORD_BYTES: String(maxBytes),
        APPEND_NEWLINE: String(appendNewline),
      },
      noDeadLetterQueueReason: 'Firehose invokes the transform synchronously and retries it itself; a batch that still fails goes to '
        + 'the delivery\'s S3 error output (processing-failed), so an asynchronous dead-letter queue or failure destination would never receive anything',
      noReservedConcurrencyReason: 'Firehose invokes the transform once per filled buffer (for a stream source, one invocation per shard at a '
        + 'time), so its concurrency follows the delivery\'s throughput; a reservation is available as transform.reservedConcurrentExecutions',
    });
    return transform.function;
  }
}
