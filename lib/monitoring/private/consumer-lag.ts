import { IConstruct } from 'constructs';

/**
 * The enhanced fan-out consumers whose `SubscribeToShardEvent.MillisBehindLatest` already has an alarm (the stream's,
 * from `PipelineStream.addConsumer`), so that an alarm set of a reader of the same consumer (a Flink application) does
 * not create a second alarm on the same metric. One metric, one alarm.
 */
const watched = new WeakSet<IConstruct>();

/** Records that `consumer`'s lag has an alarm. */
export function markConsumerLagAlarmed(consumer: IConstruct): void {
  watched.add(consumer);
}

/** Whether `consumer`'s lag already has an alarm. */
export function isConsumerLagAlarmed(consumer: IConstruct): boolean {
  return watched.has(consumer);
}
