import { aws_iam as iam } from 'aws-cdk-lib';
import type { DeliveryPermissions } from './delivery-permissions';
import type { ErrorLogging } from './error-logging';
import type { DeliverySourceConfig } from '../delivery-source';
import type { DeliveryTransformConfig } from '../delivery-transform';

/** What the base prepares for a delivery construct before it renders its destination. */
export interface DeliveryFoundation {
  readonly role: iam.IRole;
  readonly permissions: DeliveryPermissions;
  readonly source: DeliverySourceConfig;
  readonly logging: ErrorLogging;
  readonly transform?: DeliveryTransformConfig;
}

