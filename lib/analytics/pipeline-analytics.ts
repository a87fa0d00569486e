import {
  Annotations, Duration, Names, Size, Stack, aws_athena as athena, aws_glue as glue, aws_iam as iam, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateAnalyticsProps } from './private/validation';
import { acknowledgeWildcardResource } from '../private/compliance';

/** Options of the Athena side of a pipeline (its workgroup and the location of query results). */
export interface PipelineAnalyticsOptions {
  /**
   * Largest amount of data one query may scan; Athena cancels a query that scans more (at $5 per TB scanned). At least
   * 10 MB.
   * @default Size.gibibytes(10)
   * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html
   */
  readonly bytesScannedCutoffPerQuery?: Size;
  /**
   * Key prefix of the query results in the data lake bucket, ending with "/".
   * @default 'athena-results/<workgroup name>/'
   * @see https://docs.aws.amazon.com/athena/latest/ug/querying.html
   */
  readonly resultsPrefix?: string;
  /**
   * Age at which query results expire (a lifecycle rule on the results prefix, when the bucket is the pipeline's own),
   * whole days.
   * @default Duration.days(7)
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html
   */
  readonly resultsExpiration?: Duration;
  /**
   * Name of the workgroup.
   * @default - derived from the construct path
   * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-manage-queries-control-costs.html
   */
  readonly workGroupName?: string;
}

/** Properties of a `PipelineAnalytics`. */
export interface PipelineAnalyticsProps extends PipelineAnalyticsOptions {
  /** The data lake bucket: the tables' data and the query results. Results are encrypted with its key when it has one. */
  readonly bucket: s3.IBucket;
}

/** A saved query of the workgroup. */
export interface AnalyticsQueryOptions {
  /** Name shown in the Athena console's Saved queries. */
  readonly queryName: string;
  /** What the query answers. */
  readonly description: string;
  /**
   * The SQL (Trino), naming the tables of the pipeline's database without a database qualifier. `?` marks an
   * execution parameter the console asks for.
   */
  readonly sql: string;
}

/**
 * The "analyze" step of a pipeline: a Glue database for the tables of its data lake prefixes, an Athena workgroup
 * (engine version 3, results in the data lake bucket under their own prefix, encrypted with the bucket's key, expiring,
 * enforced configuration, a limit of bytes scanned per query, CloudWatch metrics) and its saved queries, and a
 * read-only grant for analysts.
 */
export class PipelineAnalytics extends Construct {
  /** The Glue database of the pipeline's tables. */
  public readonly database: glue.CfnDatabase;
  public readonly databaseName: string;
  /** The Athena workgroup. */
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly workGroupName: string;
  /** The data lake bucket. */
  public readonly bucket: s3.IBucket;
  /** Key prefix of the query results. */
  public readonly resultsPrefix: string;
  private readonly tables: { name: string; prefix: string }[] = [];
  private readonly queries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: PipelineAnalyticsProps) {
    super(scope, id);
    validateAnalyticsProps(this, props);
    const stack = Stack.of(this);
    this.bucket = props.bucket;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: Names.uniqueResourceName(this, { maxLength: 128, separator: '_' }).toLowerCase(),
        description: `Data lake tables of ${scope.node.path}`,
      },
    });
    this.databaseName = this.database.ref;

    this.workGroupName = props.workGroupName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    this.resultsPrefix = props.resultsPrefix ?? `athena-results/${this.workGroupName}/`;
    const key = this.bucket.encryptionKey;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `Queries the data lake of ${scope.node.path}`,
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: Math.floor((props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10)).toBytes()),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${this.resultsPrefix}`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: key ? { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn } : { encryptionOption: 'SSE_S3' },
        },
      },
    });

    const expiration = props.resultsExpiration ?? Duration.days(7);
    if (this.bucket instanceof s3.Bucket) {
      this.bucket.addLifecycleRule({
        id: 'ExpireAthenaResults',
        prefix: this.resultsPrefix,
        expiration,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      });
    } else {
      Annotations.of(this).addWarningV2('kinesis-streaming-pipelines:athenaResultsLifecycle',
        `the data lake bucket is imported: add a lifecycle rule that expires ${this.resultsPrefix} (Athena query results) to that bucket yourself`);
    }
  }

  /** Records a table of the database and the key prefix of its data, for `grantQuery`. */
  public addTable(tableName: string, prefix: string): void {
    this.tables.push({ name: tableName, prefix });
  }

  /** Saves a query in the workgroup, on the pipeline's database. */
  public addNamedQuery(id: string, options: AnalyticsQueryOptions): athena.CfnNamedQuery {
    const query = new athena.CfnNamedQuery(this, id, {
      name: options.queryName,
      description: options.description,
      database: this.databaseName,
      workGroup: this.workGroup.ref,
      queryString: options.sql,
    });
    this.queries.push(query);
    return query;
  }

  /** The tables added so far. */
  public get tableNames(): string[] {
    return this.tables.map((t) => t.name);
  }

  /** The saved queries, in the order they were added. */
  public get namedQueries(): athena.CfnNamedQuery[] {
    return [...this.queries];
  }

  /**
   * Lets a principal run queries in the workgroup and read the pipeline's tables: the workgroup's query actions, the
   * catalog, database and tables (read), the tables' key prefixes (read), the results prefix (read and write: Athena
   * writes results as the caller) and the bucket's key (decrypt, and encrypt for the results). Nothing else in the
   * bucket or the catalog.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName });
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
        'athena:GetQueryResultsStream', 'athena:BatchGetQueryExecution', 'athena:ListQueryExecutions', 'athena:GetWorkGroup',
        'athena:GetNamedQuery', 'athena:BatchGetNamedQuery', 'athena:ListNamedQueries',
      ],
      resourceArns: [workGroupArn],
    });
    const tableNames = this.tables.map((t) => t.name);
    grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        ...tableNames.map((t) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${t}` })),
      ],
    }));
    const prefixes = [...new Set(this.tables.map((t) => t.prefix))];
    const dataArns = prefixes.map((p) => this.bucket.arnForObjects(`${p}*`));
    const resultsArn = this.bucket.arnForObjects(`${this.resultsPrefix}*`);
    grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: dataArns }));
    grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [resultsArn],
    }));
    const principal = grantee.grantPrincipal;
    if (principal instanceof Construct) {
      for (const arn of dataArns) {
        acknowledgeWildcardResource(principal, arn, 'Athena reads every object of a table\'s prefix (Firehose names them): read only, and only the prefixes of the pipeline\'s tables');
      }
      acknowledgeWildcardResource(principal, resultsArn, 'Athena writes query results as the caller, under object names it chooses: only the workgroup\'s results prefix');
    }
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [...prefixes, this.resultsPrefix].map((p) => `${p}*`) } },
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetBucketLocation'],
      resources: [this.bucket.bucketArn],
    }));
    if (this.bucket.encryptionKey) grant.combine(this.bucket.encryptionKey.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey'));
    return grant;
  }
}
