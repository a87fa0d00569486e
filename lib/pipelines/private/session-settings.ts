/**
 * The SessionConsumer's timing props with their defaults applied: the one place these defaults are decided, read by the
 * construct and by its validation (which checks the values in effect).
 */
import { Duration } from 'aws-cdk-lib';
import { SessionDefaults } from './session-contract';

export interface SessionTimingProps {
  readonly inactivityGap?: Duration;
  readonly maxRecordAge?: Duration;
  readonly closeDelay?: Duration;
  readonly retention?: Duration;
}

export interface SessionTiming {
  readonly inactivityGap: Duration;
  readonly maxRecordAge: Duration;
  readonly closeDelay: Duration;
  readonly retention: Duration;
}

export function sessionTiming(props: SessionTimingProps): SessionTiming {
  return {
    inactivityGap: props.inactivityGap ?? Duration.seconds(SessionDefaults.GAP_SECONDS),
    maxRecordAge: props.maxRecordAge ?? Duration.hours(1),
    closeDelay: props.closeDelay ?? Duration.seconds(SessionDefaults.CLOSE_DELAY_SECONDS),
    retention: props.retention ?? Duration.seconds(SessionDefaults.RETENTION_SECONDS),
  };
}
