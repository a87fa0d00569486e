import { Size, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CapacityMode, IotSensorPipeline, OpenSearchTarget } from '../lib';

/**
 * Factory sensors: 10,000 devices publishing every 5 seconds to `sensors/<deviceId>/telemetry`. The readings stream is
 * sized for that fleet, Flink flags readings beyond 3 σ of each device's 10-minute rolling statistics and aggregates
 * each machine per minute, the results land in the S3 data lake and anomalies in an OpenSearch Serverless collection.
 */
export class IotSensorStack extends Stack {
  public readonly pipeline: IotSensorPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.pipeline = new IotSensorPipeline(this, 'Sensors', {
      fleet: { devices: 10_000, messagesPerDevicePerSecond: 0.2, averageMessageSize: Size.bytes(600) },
      capacityMode: CapacityMode.AUTO,
      anomalySigma: 3,
      openSearchTarget: OpenSearchTarget.newCollection({ collectionName: 'sensor-anomalies' }),
    });
  }
}
