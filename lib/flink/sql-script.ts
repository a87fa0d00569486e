import * as fs from 'node:fs';
import { Stack, aws_s3 as s3, aws_s3_assets as s3_assets } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BUNDLED_SCRIPTS, SQL_RESOURCE, SQL_S3_URI } from './private/job-properties';
import { propError } from '../private/errors';

/** Where a `SqlScript` resolves to in a stack. */
export interface SqlScriptConfig {
  /** The `SqlStatements` entries that point the SQL job at the script (`sql.s3.uri` or `sql.resource`). */
  readonly properties: Record<string, string>;
  /**
   * The S3 object the application role must read.
   * @default - none: the script is bundled in the job's jar
   */
  readonly bucket?: s3.IBucket;
  /** @default - none */
  readonly objectKey?: string;
  /** Whether the script lives in the library's SQL job jar (and so needs `FlinkCode.sqlRunner()`). */
  readonly bundled: boolean;
}

/** What a SqlScript is made of (not exported: the static factories build it). */
interface ScriptSource {
  readonly resourcePath?: string;
  readonly filePath?: string;
  readonly bucket?: s3.IBucket;
  readonly objectKey?: string;
}

/**
 * A SQL script the library's SQL job runs instead of `sqlStatements`: statements separated by `;`, read at start.
 * Use it for SQL beyond what runtime properties hold (50 entries of 2,048 characters), or to run one of the scripts
 * bundled in the job's jar. `${name}` placeholders are filled from `sqlParameters` as for `sqlStatements`.
 */
export abstract class SqlScript {
  /** The IoT script bundled in the job: per-device rolling statistics, k-sigma anomalies, per-machine minute aggregates. */
  public static readonly IOT_ANOMALIES = SqlScript.bundled('sql/iot-anomalies.sql');
  /** The clickstream script bundled in the job: top N products in sliding 5-minute windows, per-minute traffic. */
  public static readonly CLICKSTREAM_TOP_PRODUCTS = SqlScript.bundled('sql/clickstream-top-products.sql');

  /** A script bundled in the SQL job's jar, by resource path (`sql/iot-anomalies.sql`, `sql/clickstream-top-products.sql`). */
  public static bundled(resourcePath: string): SqlScript {
    if (!(BUNDLED_SCRIPTS as readonly string[]).includes(resourcePath)) {
      throw propError('SqlScript.bundled', 'resourcePath', resourcePath, `must be one of the scripts in the job's jar: ${BUNDLED_SCRIPTS.join(', ')}`);
    }
    return SqlScript.fromSource({ resourcePath });
  }

  /** A local .sql file, uploaded as an S3 asset at deploy. */
  public static fromAsset(filePath: string): SqlScript {
    return SqlScript.fromSource({ filePath });
  }

  /** An object in your bucket; the application role may read that object only. */
  public static fromBucket(bucket: s3.IBucket, objectKey: string): SqlScript {
    return SqlScript.fromSource({ bucket, objectKey });
  }

  /**
   * The script of the static factories. A class expression here, not a class of the module: the constants above are
   * built while this class is being defined, before any later declaration of the module exists.
   */
  private static fromSource(source: ScriptSource): SqlScript {
    return new (class extends SqlScript {
      private asset?: s3_assets.Asset;

      public bind(scope: Construct): SqlScriptConfig {
        const { resourcePath, filePath, bucket, objectKey } = source;
        if (resourcePath) return { properties: { [SQL_RESOURCE]: resourcePath }, bundled: true };
        if (bucket && objectKey !== undefined) return s3Config(bucket, objectKey);
        if (!filePath || !fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) {
          throw propError(scope, 'sqlScript', filePath, 'SqlScript.fromAsset() path must be an existing file');
        }
        if (!this.asset) {
          this.asset = new s3_assets.Asset(scope, 'SqlScript', { path: filePath });
        } else if (Stack.of(this.asset) !== Stack.of(scope)) {
          throw propError(scope, 'sqlScript', filePath, 'must be bound in one stack only: create one SqlScript per stack');
        }
        return s3Config(this.asset.bucket, this.asset.s3ObjectKey);
      }
    })();
  }

  /**
   * Resolves the script in the stack of `scope` (creating the asset, for a local file, on first use). Implement it to
   * point the SQL job at a script these factories do not cover.
   */
  public abstract bind(scope: Construct): SqlScriptConfig;
}

function s3Config(bucket: s3.IBucket, objectKey: string): SqlScriptConfig {
  return { properties: { [SQL_S3_URI]: `s3://${bucket.bucketName}/${objectKey}` }, bucket, objectKey, bundled: false };
}
