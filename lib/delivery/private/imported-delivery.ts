import { ArnFormat, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError } from '../../private/errors';
import { DeliveryAttributes, DeliveryStreamBase, IDelivery } from '../delivery-base';

/** An existing delivery stream: its name from its ARN, its metrics (named with the destination's prefix), grants. */
class ImportedDelivery extends DeliveryStreamBase {
  public readonly deliveryStreamArn: string;
  public readonly deliveryStreamName: string;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, metricPrefix: string, attrs: DeliveryAttributes) {
    super(scope, id, metricPrefix, { environmentFromArn: attrs.deliveryStreamArn });
    this.deliveryStreamArn = attrs.deliveryStreamArn;
    const name = Stack.of(scope).splitArn(attrs.deliveryStreamArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName;
    if (!name) {
      throw propError(this, 'deliveryStreamArn', attrs.deliveryStreamArn, 'must be a delivery stream ARN (arn:<partition>:firehose:<region>:<account>:deliverystream/<name>)');
    }
    this.deliveryStreamName = name;
    this.grantPrincipal = attrs.role ?? new iam.UnknownPrincipal({ resource: this });
  }
}

/** Imports a delivery stream whose destination metrics start with `metricPrefix` (`DeliveryToS3`...). */
export function importDelivery(scope: Construct, id: string, metricPrefix: string, attrs: DeliveryAttributes): IDelivery {
  return new ImportedDelivery(scope, id, metricPrefix, attrs);
}
