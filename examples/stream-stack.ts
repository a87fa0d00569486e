import { Size, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PipelineStream } from '../lib';

/**
 * The smallest useful pipeline: a clickstream sized for 5,000 records/s of 2 KiB, with one enhanced fan-out consumer
 * and the stream alarms. Written as a user of the library writes it.
 */
export class StreamExampleStack extends Stack {
  public readonly clicks: PipelineStream;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.clicks = new PipelineStream(this, 'Clicks', {
      profile: { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2), efoConsumers: 1 },
    });
    this.clicks.addConsumer('Analytics');
  }
}
