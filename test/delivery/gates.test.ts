import { Duration, Stack, aws_ec2 as ec2, aws_opensearchservice as opensearch, aws_redshiftserverless as redshiftserverless, aws_kinesisfirehose as firehose } from 'aws-cdk-lib';
import { ENV, importedSecret, importedStream, importedVpc } from './fixtures';
import {
  DataLakeColumnType, DataLakeFormat, DeliverySource, DeliveryTransform, OpenSearchDelivery, OpenSearchTarget, RedshiftDelivery,
  RedshiftTarget, S3DataLakeDelivery,
} from '../../lib/delivery';
import { expectGatesPass, gatedApp } from '../support/gates';

describe('delivery gates', () => {
  test('S3 data lake from a stream, with partitions, Parquet, transform and source backup, passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'LakeFromStream', { env: ENV });
    new S3DataLakeDelivery(stack, 'Lake', {
      source: DeliverySource.fromStream(importedStream(stack)),
      partitionKeys: ['site'],
      format: DataLakeFormat.PARQUET,
      schema: [
        { name: 'site', type: DataLakeColumnType.STRING },
        { name: 'temperature', type: DataLakeColumnType.DOUBLE },
        { name: 'ingested_at', type: DataLakeColumnType.TIMESTAMP },
      ],
      transform: DeliveryTransform.jsonRecords(),
      sourceBackup: true,
      bufferingInterval: Duration.seconds(120),
    });
    expectGatesPass(app);
  });

  test('S3 data lake by direct PUT with a JSON schema passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'LakeDirect', { env: ENV });
    new S3DataLakeDelivery(stack, 'Lake', {
      schema: [{ name: 'site', type: DataLakeColumnType.STRING }],
      transform: DeliveryTransform.jsonRecords({ reservedConcurrentExecutions: 5 }),
    });
    expectGatesPass(app);
  });

  test('Redshift Serverless from a stream, with transform and backup of all records, passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Warehouse', { env: ENV });
    const namespace = new redshiftserverless.CfnNamespace(stack, 'Namespace', { namespaceName: 'sessions' });
    const workgroup = new redshiftserverless.CfnWorkgroup(stack, 'Workgroup', {
      workgroupName: 'sessions',
      namespaceName: namespace.namespaceName,
      publiclyAccessible: true,
      subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
      securityGroupIds: ['sg-0123456789abcdef0'],
    });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'WarehouseSg', 'sg-0123456789abcdef0');
    new RedshiftDelivery(stack, 'Sessions', {
      source: DeliverySource.fromStream(importedStream(stack)),
      target: RedshiftTarget.fromWorkgroup(workgroup, { database: 'analytics', securityGroup: sg }),
      credentials: importedSecret(stack),
      table: 'public.sessions',
      columns: ['session_id', 'started_at', 'events'],
      transform: DeliveryTransform.jsonRecords({ reservedConcurrentExecutions: 5 }),
      backupMode: firehose.BackupMode.ALL,
    });
    expectGatesPass(app);
  });

  test('OpenSearch domain in a VPC from a stream, with transform and backup of all documents, passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Search', { env: ENV });
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
      domainArn: `arn:aws:es:${ENV.region}:${ENV.account}:domain/readings`,
      domainEndpoint: 'https://vpc-readings-abc.us-east-1.es.amazonaws.com',
    });
    new OpenSearchDelivery(stack, 'Dashboards', {
      source: DeliverySource.fromStream(importedStream(stack)),
      target: OpenSearchTarget.fromDomain(domain),
      indexName: 'readings',
      vpc: importedVpc(stack),
      transform: DeliveryTransform.jsonRecords({ reservedConcurrentExecutions: 5 }),
      backupMode: firehose.BackupMode.ALL,
    });
    expectGatesPass(app);
  });

  test('OpenSearch Serverless collection created with its policies, in a VPC, by direct PUT, passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Serverless', { env: ENV });
    new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.newCollection(),
      indexName: 'readings',
      vpc: importedVpc(stack),
    });
    expectGatesPass(app);
  });
});
