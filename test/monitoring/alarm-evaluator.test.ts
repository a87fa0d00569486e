/** The alarm evaluator the alarm tests rely on, checked against CloudWatch's documented semantics by hand. */
import { AlarmProperties, alarmStates, evaluateExpression, periodStatistic } from '../support/alarm-evaluator';

describe('alarm evaluator', () => {
  test('per-period statistics over per-minute datapoints; a period without datapoints is missing', () => {
    const minutes = [1, 3, undefined, 5, 7, undefined, undefined, undefined, undefined, undefined];
    expect(periodStatistic(minutes, 300, 'Sum')).toEqual([16, undefined]);
    expect(periodStatistic(minutes, 300, 'Average')).toEqual([4, undefined]);
    expect(periodStatistic(minutes, 300, 'Maximum')).toEqual([7, undefined]);
    expect(periodStatistic(minutes, 300, 'Minimum')).toEqual([1, undefined]);
    expect(periodStatistic(minutes, 300, 'SampleCount')).toEqual([4, 0]);
    expect(periodStatistic([1, 2, 3], 60, 'Sum')).toEqual([1, 2, 3]);
  });

  test('metric math: precedence, FILL, IF, MAX of an array, DIFF, AND/OR, missing points and division by zero', () => {
    const ids = { a: [1, undefined, 4, 0], b: [2, 2, 2, 0] };
    expect(evaluateExpression('a + b * 2 - 1', ids)).toEqual([4, undefined, 7, -1]);
    expect(evaluateExpression('(a + b) * 2', ids)).toEqual([6, undefined, 12, 0]);
    expect(evaluateExpression('FILL(a, 0) / b', ids)).toEqual([0.5, 0, 2, undefined]);
    expect(evaluateExpression('IF(FILL(a, 0) > b, 10, -1)', ids)).toEqual([-1, -1, 10, -1]);
    expect(evaluateExpression('MAX([FILL(a, 0), b / 2])', ids)).toEqual([1, 1, 4, 0]);
    expect(evaluateExpression('DIFF(b + FILL(a, 0))', ids)).toEqual([undefined, -1, 4, -6]);
    expect(evaluateExpression('IF(b > 1 AND FILL(a, 0) <= 1, 1, 0)', ids)).toEqual([1, 1, 0, 0]);
    expect(evaluateExpression('IF(b > 1 OR FILL(a, 0) >= 1, 1, 0)', ids)).toEqual([1, 1, 1, 0]);
    expect(evaluateExpression('-b', ids)).toEqual([-2, -2, -2, 0]);
    expect(() => evaluateExpression('SUM([a, b])', ids)).toThrow(/outside the modelled subset/);
    expect(() => evaluateExpression('c + 1', ids)).toThrow(/unknown metric id c/);
  });

  const alarm = (over: Partial<AlarmProperties>): AlarmProperties => ({
    MetricName: 'M', Namespace: 'N', Statistic: 'Maximum', Period: 60, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, ...over,
  });

  test('N of M datapoints: ALARM once N of the newest M periods breach, OK again when fewer do', () => {
    const a = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(alarmStates(a, { M: [0, 11, 0, 11, 0, 0, 0] })).toEqual(['INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK', 'OK', 'OK']);
    expect(alarmStates(alarm({ EvaluationPeriods: 2 }), { M: [11, 10, 11, 11] })).toEqual(['INSUFFICIENT_DATA', 'OK', 'OK', 'ALARM']);
  });

  test('missing data: notBreaching counts as good, breaching as bad, missing leaves nothing to evaluate', () => {
    const gap = { M: [undefined, undefined, undefined] };
    expect(alarmStates(alarm({ TreatMissingData: 'notBreaching' }), gap).at(-1)).toBe('OK');
    expect(alarmStates(alarm({ TreatMissingData: 'breaching' }), gap).at(-1)).toBe('ALARM');
    expect(alarmStates(alarm({ TreatMissingData: 'missing' }), gap).at(-1)).toBe('INSUFFICIENT_DATA');
    expect(alarmStates(alarm({ ComparisonOperator: 'LessThanOrEqualToThreshold', EvaluationPeriods: 1 }), { M: [10, 11] })).toEqual(['ALARM', 'OK']);
  });
});
