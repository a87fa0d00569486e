import { Size, Stack, StackProps, Validations, aws_redshiftserverless as rss, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClickstreamPipeline, RedshiftTarget } from '../lib';

/**
 * A web shop's clickstream: 5,000 clicks/s of 1 KiB at peak from the browser and the app (through the ingestion API),
 * top products of the last 5 minutes every minute, sessions in DynamoDB and their summaries in Redshift Serverless.
 *
 * Before the first delivery, create the loader user and the table in the workgroup (README, "ClickstreamPipeline").
 */
export class ClickstreamStack extends Stack {
  public readonly pipeline: ClickstreamPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const namespace = new rss.CfnNamespace(this, 'Namespace', {
      namespaceName: 'clickstream',
      adminUsername: 'admin',
      manageAdminPassword: true,
      dbName: 'dev',
    });
    // Firehose reaches Redshift only through a public endpoint (from its Region's CIDR block): see RedshiftTarget.
    const workgroup = new rss.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: 'clickstream',
      namespaceName: namespace.namespaceName,
      baseCapacity: 8,
      publiclyAccessible: true,
    });
    workgroup.node.addDependency(namespace);
    const loader = new secretsmanager.Secret(this, 'LoaderCredentials', {
      description: 'Redshift user Firehose COPYs the session summaries as (INSERT on session_summaries only)',
      generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'firehose_loader' }), generateStringKey: 'password', excludePunctuation: true },
    });
    Validations.of(loader).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: 'The loader password is set in Redshift by hand (README); rotating it needs a Redshift rotation function, out of the example\'s scope' },
      { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason: 'As AwsSolutions-SMG4: no rotation function in the example' },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason: 'As AwsSolutions-SMG4: no rotation function in the example' },
      { id: 'PCI.DSS.321-SecretsManagerRotationEnabled', reason: 'As AwsSolutions-SMG4: no rotation function in the example' },
      { id: 'NIST.800.53.R5-SecretsManagerUsingKMSKey', reason: 'Encrypted with the AWS-managed key of Secrets Manager, which Firehose can read without a key grant' },
      { id: 'HIPAA.Security-SecretsManagerUsingKMSKey', reason: 'Encrypted with the AWS-managed key of Secrets Manager, which Firehose can read without a key grant' },
      { id: 'PCI.DSS.321-SecretsManagerUsingKMSKey', reason: 'Encrypted with the AWS-managed key of Secrets Manager, which Firehose can read without a key grant' },
    );

    this.pipeline = new ClickstreamPipeline(this, 'Clickstream', {
      profile: { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(1), averageRecordsPerSecond: 1500 },
      ingestionApiEnabled: true,
      topProducts: 10,
      redshiftTarget: RedshiftTarget.fromWorkgroup(workgroup),
      redshiftCredentials: loader,
    });
  }
}
