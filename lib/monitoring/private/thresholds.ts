import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkIntRange } from '../../private/validation';
import { AlarmEvaluation } from '../alarm-set';

/** CloudWatch evaluates at most a day of periods: 1,440 of one minute, 288 of five. */
export function maxEvaluationPeriods(period: Duration): number {
  return Math.floor(Duration.days(1).toSeconds() / period.toSeconds());
}

/**
 * The evaluation of every named threshold of an alarm set: `evaluationPeriods` within a day of the metric's periods,
 * `datapointsToAlarm` from 1 to the periods evaluated (the given ones, else the alarm's default).
 */
export function checkEvaluations(
  scope: IConstruct, period: Duration, thresholds: Record<string, AlarmEvaluation | undefined>, defaultPeriods: Record<string, number> = {},
): void {
  const max = maxEvaluationPeriods(period);
  for (const [name, e] of Object.entries(thresholds)) {
    if (!e) continue;
    checkIntRange(scope, `${name}.evaluationPeriods`, e.evaluationPeriods, 1, max);
    const periods = e.evaluationPeriods ?? defaultPeriods[name] ?? max;
    checkIntRange(scope, `${name}.datapointsToAlarm`, e.datapointsToAlarm, 1, Token.isUnresolved(periods) ? max : periods);
  }
}
