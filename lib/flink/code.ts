import * as fs from 'node:fs';
import { Stack, aws_s3 as s3, aws_s3_assets as s3_assets } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SQL_RUNNER_JAR_PATH } from './private/paths';
import { propError } from '../private/errors';

/** The code location a `FlinkCode` resolves to in a stack. */
export interface FlinkCodeConfig {
  /** Bucket that holds the code object. */
  readonly bucket: s3.IBucket;
  /** Key of the code object (a jar, or a zip for Python). */
  readonly fileKey: string;
  /**
   * Version of the code object.
   * @default - the latest version
   */
  readonly objectVersion?: string;
  /** Whether this is the library's Flink SQL job, which runs the statements of the `SqlStatements` property group. */
  readonly runsSqlFromProperties: boolean;
}

/** Options of `FlinkCode.sqlRunner()`. */
export interface SqlRunnerCodeOptions {
  /**
   * Path of the jar to ship, for a build of the job outside this package.
   * @default - the jar that `npm run flink:build` puts under assets/flink/ of this package
   */
  readonly jarPath?: string;
}

/**
 * The code a `FlinkApplication` runs: this library's Flink SQL job (the default), a local jar shipped as an S3 asset,
 * or an object already in S3.
 * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_S3ContentLocation.html
 */
export abstract class FlinkCode {
  /**
   * This library's Flink SQL job (flink/ in the repository): runs the SQL statements given to the application as
   * runtime properties, reading the source stream through its EFO consumer.
   */
  public static sqlRunner(options: SqlRunnerCodeOptions = {}): FlinkCode {
    return new AssetCode(options.jarPath ?? SQL_RUNNER_JAR_PATH, true, {}, 'npm run flink:build builds it');
  }

  /** A local jar (or zip) file, uploaded as an S3 asset at deploy. */
  public static fromAsset(filePath: string, options: s3_assets.AssetOptions = {}): FlinkCode {
    return new AssetCode(filePath, false, options);
  }

  /** An object in your bucket; the application role is granted read on that object only. */
  public static fromBucket(bucket: s3.IBucket, fileKey: string, objectVersion?: string): FlinkCode {
    return new BucketCode(bucket, fileKey, objectVersion);
  }

  /** Resolves the code in the stack of `scope` (creating the asset on first use). */
  public abstract bind(scope: Construct): FlinkCodeConfig;
}

class AssetCode extends FlinkCode {
  private asset?: s3_assets.Asset;

  constructor(
    private readonly filePath: string,
    private readonly sqlRunner: boolean,
    private readonly options: s3_assets.AssetOptions,
    private readonly hint?: string,
  ) {
    super();
  }

  public bind(scope: Construct): FlinkCodeConfig {
    if (!fs.existsSync(this.filePath) || !fs.statSync(this.filePath).isFile()) {
      const prop = this.sqlRunner ? 'FlinkCode.sqlRunner() jar' : 'FlinkCode.fromAsset() path';
      throw propError(scope, 'code', this.filePath, `${prop} must be an existing file${this.hint ? ` (${this.hint})` : ''}`);
    }
    if (!this.asset) {
      this.asset = new s3_assets.Asset(scope, 'Code', { path: this.filePath, ...this.options });
    } else if (Stack.of(this.asset) !== Stack.of(scope)) {
      throw propError(scope, 'code', this.filePath, 'must be bound in one stack only: create one FlinkCode per stack');
    }
    return { bucket: this.asset.bucket, fileKey: this.asset.s3ObjectKey, runsSqlFromProperties: this.sqlRunner };
  }
}

class BucketCode extends FlinkCode {
  constructor(private readonly bucket: s3.IBucket, private readonly fileKey: string, private readonly objectVersion?: string) {
    super();
  }

  public bind(_scope: Construct): FlinkCodeConfig {
    return { bucket: this.bucket, fileKey: this.fileKey, objectVersion: this.objectVersion, runsSqlFromProperties: false };
  }
}
