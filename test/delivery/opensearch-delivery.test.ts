import {
  App, Duration, Size, Stack, aws_ec2 as ec2, aws_kinesisfirehose as firehose, aws_opensearchserverless as aoss, aws_opensearchservice as opensearch,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, importedStream, importedVpc } from './fixtures';
import {
  DeliverySource, DeliveryTransform, OpenSearchCollectionType, OpenSearchDelivery, OpenSearchDeliveryProps, OpenSearchDocumentId,
  OpenSearchIndexRotation, OpenSearchTarget,
} from '../../lib/delivery';

const DOMAIN_ARN = `arn:aws:es:${ENV.region}:${ENV.account}:domain/readings`;

function newStack(): Stack {
  return new Stack(new App(), 'Search', { env: ENV });
}

function domain(stack: Stack): opensearch.IDomain {
  return opensearch.Domain.fromDomainAttributes(stack, 'Domain', { domainArn: DOMAIN_ARN, domainEndpoint: 'https://search-readings-abc.us-east-1.es.amazonaws.com' });
}

function deliveryProps(template: Template): Record<string, any> {
  return Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties;
}

function statements(template: Template, stack: Stack, delivery: OpenSearchDelivery): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [stack.resolve(delivery.role.roleName)] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('OpenSearchDelivery', () => {
  test('domain defaults: daily index rotation, Firehose document ids, 5-minute retry, failed documents to a new hardened bucket', () => {
    const stack = newStack();
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', { target: OpenSearchTarget.fromDomain(domain(stack)), indexName: 'readings' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK' },
      AmazonopensearchserviceDestinationConfiguration: {
        DomainARN: DOMAIN_ARN,
        IndexName: 'readings',
        IndexRotationPeriod: 'OneDay',
        DocumentIdOptions: { DefaultDocumentIdFormat: 'FIREHOSE_DEFAULT' },
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        RetryOptions: { DurationInSeconds: 300 },
        S3BackupMode: 'FailedDocumentsOnly',
        S3Configuration: {
          BucketARN: stack.resolve(delivery.backupBucket.bucketArn),
          Prefix: 'opensearch-backup/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
          CompressionFormat: 'GZIP',
        },
        CloudWatchLoggingOptions: { Enabled: true },
        VpcConfiguration: Match.absent(),
      },
      AmazonOpenSearchServerlessDestinationConfiguration: Match.absent(),
    });
    expect(delivery.securityGroups).toBeUndefined();
    expect(delivery.metricDataFreshness().metricName).toBe('DeliveryToAmazonOpenSearchService.DataFreshness');
  });

  test('domain permissions: the Firehose documentation\'s list on this domain, reads limited to stats and settings paths', () => {
    const stack = newStack();
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', { target: OpenSearchTarget.fromDomain(domain(stack)), indexName: 'readings' });
    expect(statements(Template.fromStack(stack), stack, delivery)).toEqual(expect.arrayContaining([
      {
        Action: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig', 'es:ESHttpPost', 'es:ESHttpPut'],
        Effect: 'Allow',
        Resource: [DOMAIN_ARN, `${DOMAIN_ARN}/*`],
      },
      {
        Action: 'es:ESHttpGet',
        Effect: 'Allow',
        Resource: ['_all/_settings', '_cluster/stats', 'readings*/_mapping/*', '_nodes', '_nodes/stats', '_nodes/*/stats', '_stats', 'readings*/_stats', '']
          .map((p) => `${DOMAIN_ARN}/${p}`),
      },
    ]));
  });

  test('rotation, document ids, retry, buffering and backup of all documents as chosen', () => {
    const stack = newStack();
    new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.fromDomain(domain(stack)),
      indexName: 'logs',
      indexRotation: OpenSearchIndexRotation.ONE_HOUR,
      documentId: OpenSearchDocumentId.NO_DOCUMENT_ID,
      retryDuration: Duration.hours(2),
      bufferingInterval: Duration.seconds(0),
      bufferingSize: Size.mebibytes(100),
      backupMode: firehose.BackupMode.ALL,
      backupPrefix: 'all/!{timestamp:yyyy/MM/dd}/',
    });
    expect(deliveryProps(Template.fromStack(stack)).AmazonopensearchserviceDestinationConfiguration).toMatchObject({
      IndexRotationPeriod: 'OneHour',
      DocumentIdOptions: { DefaultDocumentIdFormat: 'NO_DOCUMENT_ID' },
      RetryOptions: { DurationInSeconds: 7200 },
      BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 100 },
      S3BackupMode: 'AllDocuments',
      S3Configuration: { Prefix: 'all/!{timestamp:yyyy/MM/dd}/' },
    });
  });

  test('in a VPC: Firehose network interfaces in the private subnets with a new HTTPS-only security group, and the EC2 permissions they need', () => {
    const stack = newStack();
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.fromDomain(domain(stack)),
      indexName: 'readings',
      vpc: importedVpc(stack),
      source: DeliverySource.fromStream(importedStream(stack)),
    });
    const template = Template.fromStack(stack);
    const sg = delivery.securityGroups![0];
    expect(deliveryProps(template).AmazonopensearchserviceDestinationConfiguration.VpcConfiguration).toEqual({
      RoleARN: stack.resolve(delivery.role.roleArn),
      SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      SecurityGroupIds: [stack.resolve(sg.securityGroupId)],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
    });
    expect(statements(template, stack, delivery)).toContainEqual({
      Action: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces',
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'],
      Effect: 'Allow',
      Resource: '*',
    });
    expect(delivery.connections.securityGroups).toEqual([sg]);
  });

  test('a VPC domain created here lets the delivery\'s security group in on 443', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const searchDomain = new opensearch.Domain(stack, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_13,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true, availabilityZones: [vpc.availabilityZones[0]] }],
      capacity: { dataNodes: 1, multiAzWithStandbyEnabled: false },
    });
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.fromDomain(searchDomain),
      indexName: 'readings',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: stack.resolve(delivery.securityGroups![0].securityGroupId),
      GroupId: stack.resolve(searchDomain.connections.securityGroups[0].securityGroupId),
    });
  });

  test('a new collection: encryption policy with its own key, public network policy, data access for the role, standby replicas, retained except on a failed create', () => {
    const stack = newStack();
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.newCollection({ collectionName: 'readings' }),
      indexName: 'readings',
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::OpenSearchServerless::Collection', {
      Properties: { Name: 'readings', Type: 'TIMESERIES', StandbyReplicas: 'ENABLED' },
      // Its name is fixed: a collection kept by a rolled-back first deploy would make the retry fail.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DashboardsEncryptionPolicy'), Match.stringLikeRegexp('^DashboardsNetworkPolicy')]),
    });
    const policies = Object.values(template.findResources('AWS::OpenSearchServerless::SecurityPolicy')).map((r: any) => r.Properties);
    const encryption = policies.find((p) => p.Type === 'encryption');
    const network = policies.find((p) => p.Type === 'network');
    expect(encryption.Name).toBe('readings-enc');
    expect(JSON.stringify(stack.resolve(encryption.Policy))).toContain('\\"AWSOwnedKey\\":false,\\"KmsARN\\":\\"');
    expect(network).toMatchObject({ Name: 'readings-net', Policy: '[{"Rules":[{"ResourceType":"collection","Resource":["collection/readings"]}],"AllowFromPublic":true}]' });
    template.hasResourceProperties('AWS::OpenSearchServerless::AccessPolicy', {
      Name: 'readings-firehose',
      Type: 'data',
      Policy: {
        'Fn::Join': ['', [
          '[{"Rules":[{"ResourceType":"index","Resource":["index/readings/*"],"Permission":["aoss:CreateIndex","aoss:UpdateIndex","aoss:DescribeIndex","aoss:WriteDocument"]}],"Principal":["',
          stack.resolve(delivery.role.roleArn),
          '"]}]',
        ]],
      },
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      AmazonopensearchserviceDestinationConfiguration: Match.absent(),
      AmazonOpenSearchServerlessDestinationConfiguration: {
        CollectionEndpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DashboardsCollection'), 'CollectionEndpoint'] },
        IndexName: 'readings',
        S3BackupMode: 'FailedDocumentsOnly',
        IndexRotationPeriod: Match.absent(),
        DocumentIdOptions: Match.absent(),
      },
    });
    // The delivery stream waits for the data access policy of its role.
    const [streamId] = Object.keys(template.findResources('AWS::KinesisFirehose::DeliveryStream'));
    const [policyId] = Object.keys(template.findResources('AWS::OpenSearchServerless::AccessPolicy'));
    expect(template.toJSON().Resources[streamId].DependsOn).toContain(policyId);
    expect(statements(template, stack, delivery)).toContainEqual({
      Action: 'aoss:APIAccessAll', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DashboardsCollection/), 'Arn'] },
    });
    expect(delivery.metricDeliverySuccess().metricName).toBe('DeliveryToAmazonOpenSearchServerless.Success');
  });

  test('a new collection in a VPC: reachable only through a new OpenSearch Serverless VPC endpoint Firehose may reach', () => {
    const stack = newStack();
    const delivery = new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.newCollection({ collectionName: 'readings', type: OpenSearchCollectionType.SEARCH, standbyReplicas: false }),
      indexName: 'readings',
      vpc: importedVpc(stack),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::OpenSearchServerless::VpcEndpoint', {
      Name: 'readings-vpce', VpcId: 'vpc-0123456789abcdef0', SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    });
    template.hasResourceProperties('AWS::OpenSearchServerless::Collection', { Type: 'SEARCH', StandbyReplicas: 'DISABLED' });
    template.hasResourceProperties('AWS::OpenSearchServerless::SecurityPolicy', {
      Type: 'network',
      Policy: {
        'Fn::Join': ['', ['[{"Rules":[{"ResourceType":"collection","Resource":["collection/readings"]}],"AllowFromPublic":false,"SourceVPCEs":["',
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^DashboardsCollectionEndpoint'), 'Id'] }, '"]}]']],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, ToPort: 443, SourceSecurityGroupId: stack.resolve(delivery.securityGroups![0].securityGroupId),
    });
    expect(deliveryProps(template).AmazonOpenSearchServerlessDestinationConfiguration.VpcConfiguration.SubnetIds).toHaveLength(2);
  });

  test('an existing collection: only the data access policy of the role is added', () => {
    const stack = newStack();
    new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.fromCollectionAttributes({
        collectionName: 'metrics',
        collectionArn: `arn:aws:aoss:${ENV.region}:${ENV.account}:collection/abc123`,
        collectionEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
      }),
      indexName: 'cpu',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::OpenSearchServerless::Collection', 0);
    template.resourceCountIs('AWS::OpenSearchServerless::SecurityPolicy', 0);
    template.hasResourceProperties('AWS::OpenSearchServerless::AccessPolicy', { Name: 'metrics-firehose', Type: 'data' });
    expect(deliveryProps(template).AmazonOpenSearchServerlessDestinationConfiguration.CollectionEndpoint).toBe('https://abc123.us-east-1.aoss.amazonaws.com');
  });

  test('a collection created here with the L1: its endpoint and a data access policy', () => {
    const stack = newStack();
    const collection = new aoss.CfnCollection(stack, 'Metrics', { name: 'metrics', type: 'TIMESERIES' });
    new OpenSearchDelivery(stack, 'Dashboards', { target: OpenSearchTarget.fromCollection(collection), indexName: 'cpu' });
    const template = Template.fromStack(stack);
    expect(deliveryProps(template).AmazonOpenSearchServerlessDestinationConfiguration.CollectionEndpoint).toEqual({ 'Fn::GetAtt': ['Metrics', 'CollectionEndpoint'] });
    template.hasResourceProperties('AWS::OpenSearchServerless::AccessPolicy', { Name: 'metrics-firehose' });
  });

  test('a transform runs before indexing, without a newline (one record is one document)', () => {
    const stack = newStack();
    new OpenSearchDelivery(stack, 'Dashboards', { target: OpenSearchTarget.fromDomain(domain(stack)), indexName: 'readings', transform: DeliveryTransform.jsonRecords() });
    const template = Template.fromStack(stack);
    expect(deliveryProps(template).AmazonopensearchserviceDestinationConfiguration.ProcessingConfiguration.Processors[0].Type).toBe('Lambda');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ APPEND_NEWLINE: 'false' }) } });
  });

  test('imports existing delivery streams into a domain or a collection, with their metric names', () => {
    const stack = newStack();
    const arn = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/old-logs';
    expect(OpenSearchDelivery.fromDeliveryStreamAttributes(stack, 'Domain', { deliveryStreamArn: arn }).metricDataFreshness().metricName)
      .toBe('DeliveryToAmazonOpenSearchService.DataFreshness');
    expect(OpenSearchDelivery.fromServerlessDeliveryStreamAttributes(stack, 'Collection', { deliveryStreamArn: arn }).metricDataFreshness().metricName)
      .toBe('DeliveryToAmazonOpenSearchServerless.DataFreshness');
  });

  test('snapshot: a domain in a VPC, from a stream', () => {
    const stack = newStack();
    new OpenSearchDelivery(stack, 'Dashboards', {
      target: OpenSearchTarget.fromDomain(domain(stack)),
      indexName: 'readings',
      vpc: importedVpc(stack),
      source: DeliverySource.fromStream(importedStream(stack)),
      backupMode: firehose.BackupMode.ALL,
    });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('snapshot: a new collection', () => {
    const stack = newStack();
    new OpenSearchDelivery(stack, 'Dashboards', { target: OpenSearchTarget.newCollection(), indexName: 'readings' });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  describe('throws when', () => {
    const cases: [string, (stack: Stack) => OpenSearchDeliveryProps, RegExp][] = [
      ['the buffer is above 100 MB', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', bufferingSize: Size.mebibytes(101) }),
        /OpenSearchDelivery "Search\/Dashboards": bufferingSize must be a whole number of MiB from 1 to 100 for OpenSearch delivery, got 101/],
      ['the buffering interval is above 900 s', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', bufferingInterval: Duration.seconds(1000) }),
        /bufferingInterval must be a whole number of seconds from 0 to 900, got 1000/],
      ['the retry duration is above 7,200 s', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', retryDuration: Duration.seconds(7201) }),
        /retryDuration must be a whole number of seconds from 0 to 7200, got 7201/],
      ['the index name has capitals', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'Readings' }), /indexName must be 1–80 lowercase characters.*, got "Readings"/],
      ['the index name starts with an underscore', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: '_readings' }), /indexName must be .*, got "_readings"/],
      ['a collection gets index rotation', () => ({ target: OpenSearchTarget.newCollection(), indexName: 'r', indexRotation: OpenSearchIndexRotation.ONE_DAY }),
        /indexRotation and documentId are not available for OpenSearch Serverless collections/],
      ['a collection gets a document-id option', () => ({ target: OpenSearchTarget.newCollection(), indexName: 'r', documentId: OpenSearchDocumentId.NO_DOCUMENT_ID }),
        /indexRotation and documentId are not available for OpenSearch Serverless collections/],
      ['subnets are given without a VPC', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
        /vpcSubnets and securityGroups need vpc/],
      ['the security group list is empty', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', vpc: importedVpc(s), securityGroups: [] }),
        /securityGroups must hold at least one security group, got \[\]/],
      ['the collection name is not valid', () => ({ target: OpenSearchTarget.newCollection({ collectionName: 'Readings' }), indexName: 'r' }),
        /target.collectionName must be 3–28 characters of \[a-z0-9-\], starting with a letter, got "Readings"/],
      ['the backup prefix uses a partition key', (s) => ({ target: OpenSearchTarget.fromDomain(domain(s)), indexName: 'r', backupPrefix: '!{partitionKeyFromQuery:x}/' }),
        /backupPrefix must use only/],
    ];
    test.each(cases)('%s', (_name, make, message) => {
      const stack = newStack();
      expect(() => new OpenSearchDelivery(stack, 'Dashboards', make(stack))).toThrow(message);
    });
  });
});
