import {
  CfnResource, RemovalPolicy, Size, Stack, StackProps, Validations,
  aws_ec2 as ec2, aws_redshiftserverless as rss, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClickstreamPipeline, RedshiftTarget } from '../lib';

/**
 * A web shop's clickstream: 5,000 clicks/s of 1 KiB at peak from the browser and the app (through the ingestion API),
 * top products of the last 5 minutes every minute, sessions in DynamoDB and their summaries in Redshift Serverless.
 *
 * Before the first delivery, create the loader user and the table in the workgroup (README, "ClickstreamPipeline").
 *
 * Firehose reaches Redshift only at a publicly accessible endpoint, from the Firehose CIDR block of the Region, which
 * every AWS customer's Firehose there shares. So the workgroup sits in public subnets of a VPC of its own, behind a
 * security group whose only ingress is that block on the workgroup's port (added by `RedshiftTarget`), requires SSL,
 * and logs connections and users; the loader user may only INSERT into its table.
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
      // Audit logging to CloudWatch Logs: who connected from where, and changes to users.
      logExports: ['connectionlog', 'userlog'],
    });
    // The warehouse holds the data: kept on delete, but not after a failed first create (its name is fixed).
    namespace.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    // Public subnets only (Firehose connects over the internet), in up to three Availability Zones, no NAT.
    const vpc = new ec2.Vpc(this, 'WarehouseVpc', {
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false }],
      restrictDefaultSecurityGroup: false,
    });
    acknowledgeWarehouseVpc(vpc);
    const securityGroup = new ec2.SecurityGroup(this, 'WarehouseSecurityGroup', {
      vpc,
      description: 'Redshift Serverless workgroup: Firehose CIDR block of the Region on the workgroup port only',
      allowAllOutbound: false,
    });
    const workgroup = new rss.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: 'clickstream',
      namespaceName: namespace.namespaceName,
      baseCapacity: 8,
      publiclyAccessible: true,
      subnetIds: vpc.publicSubnets.map((s) => s.subnetId),
      securityGroupIds: [securityGroup.securityGroupId],
      configParameters: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
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
      redshiftTarget: RedshiftTarget.fromWorkgroup(workgroup, { securityGroup }),
      redshiftCredentials: loader,
    });
  }
}

/** What the compliance packs say of a VPC whose only purpose is a publicly accessible Redshift endpoint, and why it stands. */
function acknowledgeWarehouseVpc(vpc: ec2.Vpc): void {
  const packs = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
  Validations.of(vpc).acknowledge(
    { id: 'AwsSolutions-VPC7', reason: 'The VPC holds only the Redshift workgroup\'s endpoint; every connection to it is audited by the namespace\'s connection log (logExports connectionlog)' },
    ...packs.map((pack) => ({ id: `${pack}-VPCFlowLogsEnabled`, reason: 'As AwsSolutions-VPC7: connections are audited by the Redshift connection log' })),
    ...packs.map((pack) => ({ id: `${pack}-VPCDefaultSecurityGroupClosed`, reason: 'Nothing uses the default security group: the workgroup has a security group of its own that admits only the Firehose CIDR block' })),
  );
  for (const subnet of vpc.publicSubnets) {
    const route = subnet.node.findChild('DefaultRoute');
    Validations.of(route).acknowledge(...packs.map((pack) => ({
      id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
      reason: 'Firehose reaches Redshift only at a publicly accessible endpoint, over the internet; the workgroup\'s security group admits only the Firehose CIDR block of the Region on its port',
    })));
    // cfn-lint W3010: the Availability Zones are looked up for the account and Region at synth (dummy values offline).
    (subnet.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3010'] } });
  }
}
