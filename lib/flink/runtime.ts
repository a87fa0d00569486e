import { Token } from 'aws-cdk-lib';
import { propError } from '../private/errors';

const RUNTIME_FORMAT = /^FLINK-(\d+)_(\d+)$/;

/**
 * The Managed Service for Apache Flink runtime an application runs on (`RuntimeEnvironment`).
 *
 * Use a constant, or `FlinkRuntime.of('FLINK-x_y')` for a runtime released after this library.
 * Flink 2.x runtimes need Java 17 code and removed the DataSet/Scala APIs and the legacy SourceFunction/SinkFunction.
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/earlier.html
 */
export class FlinkRuntime {
  /** Apache Flink 1.15. */
  public static readonly FLINK_1_15 = new FlinkRuntime('FLINK-1_15', 1, 15);
  /** Apache Flink 1.18. */
  public static readonly FLINK_1_18 = new FlinkRuntime('FLINK-1_18', 1, 18);
  /** Apache Flink 1.19. */
  public static readonly FLINK_1_19 = new FlinkRuntime('FLINK-1_19', 1, 19);
  /** Apache Flink 1.20, the last 1.x runtime (Kinesis connector 5.x). */
  public static readonly FLINK_1_20 = new FlinkRuntime('FLINK-1_20', 1, 20);
  /** Apache Flink 2.2 (Java 17; Kinesis connector 6.x). */
  public static readonly FLINK_2_2 = new FlinkRuntime('FLINK-2_2', 2, 2);
  /** Apache Flink 2.3 (Java 17). */
  public static readonly FLINK_2_3 = new FlinkRuntime('FLINK-2_3', 2, 3);

  /**
   * A runtime by its `RuntimeEnvironment` string, `FLINK-<major>_<minor>` (for example `FLINK-2_2`).
   * A token is accepted as is and treated as a Flink 2.x runtime for metric names.
   */
  public static of(value: string): FlinkRuntime {
    if (Token.isUnresolved(value)) return new FlinkRuntime(value, 2, 0);
    const match = RUNTIME_FORMAT.exec(value ?? '');
    if (!match) throw propError('FlinkRuntime.of', 'runtime', value, 'must look like FLINK-<major>_<minor> (for example FLINK-2_2)');
    return new FlinkRuntime(value, Number(match[1]), Number(match[2]));
  }

  /**
   * @param value the `RuntimeEnvironment` string
   * @param majorVersion Flink major version (1 or 2)
   * @param minorVersion Flink minor version
   */
  private constructor(public readonly value: string, public readonly majorVersion: number, public readonly minorVersion: number) {}

  /**
   * Name of the CloudWatch metric that counts job restarts on this runtime: `numRestarts` from Flink 2.x on,
   * `fullRestarts` before (removed in Flink 2.2).
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html
   */
  public get restartsMetricName(): string {
    return this.majorVersion >= 2 ? 'numRestarts' : 'fullRestarts';
  }

  public toString(): string {
    return this.value;
  }
}
