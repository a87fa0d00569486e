import { App, Stack, aws_iam as iam, aws_kinesis as kinesis, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import {
  DeliverySource, DeliveryTransform, FlinkApplication, RedshiftDelivery, RedshiftTarget, RedshiftTargetConfig, SqlScript, SqlScriptConfig,
} from '../../lib';
import { minimalProps } from '../flink/helpers';

function newStack(): Stack {
  return new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** The union-like classes share one shape: static factories and a public bind; where it makes sense, users bring their own. */
describe('union-like classes', () => {
  test('a SqlScript of the user\'s own: the job reads the object its bind names, the role may read it', () => {
    class VersionedScript extends SqlScript {
      constructor(private readonly bucket: s3.IBucket) {
        super();
      }
      public bind(_scope: Construct): SqlScriptConfig {
        return { properties: { 'sql.s3.uri': `s3://${this.bucket.bucketName}/jobs/v2.sql` }, bucket: this.bucket, objectKey: 'jobs/v2.sql', bundled: false };
      }
    }
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Scripts', 'my-scripts');
    new FlinkApplication(stack, 'App', { ...minimalProps(stack), sqlStatements: undefined, sqlScript: new VersionedScript(bucket) });
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).toContain('s3://my-scripts/jobs/v2.sql');
    expect(template).toContain(':s3:::my-scripts/jobs/v2.sql');
  });

  test('the bundled SqlScript constants exist from the start and bind to the job\'s resources', () => {
    expect(SqlScript.IOT_ANOMALIES.bind(newStack())).toEqual({ properties: { 'sql.resource': 'sql/iot-anomalies.sql' }, bundled: true });
    expect(SqlScript.CLICKSTREAM_TOP_PRODUCTS.bind(newStack()).bundled).toBe(true);
  });

  test('a RedshiftTarget of the user\'s own: the delivery loads the JDBC URL its bind returns', () => {
    class ProxyTarget extends RedshiftTarget {
      public bind(_scope: Construct): RedshiftTargetConfig {
        return { jdbcUrl: 'jdbc:redshift://proxy.internal.example:5439/analytics' };
      }
    }
    const stack = newStack();
    new RedshiftDelivery(stack, 'Sessions', {
      target: new ProxyTarget(),
      credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'firehose-user'),
      table: 'public.sessions',
      columns: ['session_id'],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      RedshiftDestinationConfiguration: { ClusterJDBCURL: 'jdbc:redshift://proxy.internal.example:5439/analytics' },
    });
  });

  test('DeliverySource.bind: a stream source grants the role read and names the stream; direct PUT creates its key', () => {
    const stack = newStack();
    const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.MANAGED });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
    const fromStream = DeliverySource.fromStream(stream).bind(stack, { role });
    expect(fromStream.deliveryStreamType).toBe('KinesisStreamAsSource');
    expect(fromStream.kinesisStreamSourceConfiguration?.kinesisStreamArn).toBe(stream.streamArn);
    expect(fromStream.dependables).toHaveLength(1);
    const scope = new Construct(stack, 'Delivery');
    const direct = DeliverySource.directPut().bind(scope, { role });
    expect(direct.deliveryStreamType).toBe('DirectPut');
    expect(direct.encryptionKey?.node.path).toBe('S/Delivery/Key');
  });

  test('DeliveryTransform.bind: the library\'s function is created under the delivery, with Firehose\'s default buffering', () => {
    const stack = newStack();
    const scope = new Construct(stack, 'Delivery');
    const config = DeliveryTransform.jsonRecords().bind(scope);
    expect(config.function.node.path).toBe('S/Delivery/Transform/Function');
    expect([config.bufferKiB, config.bufferIntervalSeconds]).toEqual([1024, 60]);
  });
});
