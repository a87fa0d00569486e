/**
 * A CloudWatch metric alarm, reduced to what the simulator needs: "M out of the last N datapoints breach" evaluated each
 * minute over the datapoints published so far, an alarm state, and actions on the transition into ALARM only
 * (CloudWatch does not repeat an action while the alarm stays in ALARM). Missing data is treated as "ignore": with fewer than
 * N datapoints the state does not change.
 */
export type AlarmState = 'INSUFFICIENT_DATA' | 'OK' | 'ALARM';

export class SimAlarm {
  public state: AlarmState = 'INSUFFICIENT_DATA';

  constructor(
    public readonly name: string,
    public readonly evaluationPeriods: number,
    public readonly datapointsToAlarm: number,
  ) {}

  /**
   * Evaluates the newest `evaluationPeriods` breach flags (oldest first). Returns true when the alarm moved into ALARM,
   * which is when CloudWatch runs the alarm action.
   */
  evaluate(breaching: readonly boolean[]): boolean {
    if (breaching.length < this.evaluationPeriods) return false;
    const last = breaching.slice(-this.evaluationPeriods);
    const count = last.filter((b) => b).length;
    const next: AlarmState = count >= this.datapointsToAlarm ? 'ALARM' : 'OK';
    const fired = next === 'ALARM' && this.state !== 'ALARM';
    this.state = next;
    return fired;
  }

  /** SetAlarmState(INSUFFICIENT_DATA), or PutMetricAlarm rewriting the alarm: the next evaluation may fire again. */
  reset(): void {
    this.state = 'INSUFFICIENT_DATA';
  }
}
