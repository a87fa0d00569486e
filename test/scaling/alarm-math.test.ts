import * as fc from 'fast-check';
import { resolveConfig, type Sensitivity } from '../../lambda/shard-autoscaler/policy';
import { labelWithShards, saturationExpression, shardsLabel, shardsOfExpression, utilizationExpression, withShards } from '../../lib/scaling/private/alarm-math';
import { alarmThresholds } from '../../lib/scaling/private/thresholds';
import { assertProperty } from '../support/property';

const SENSITIVITIES: Sensitivity[] = ['high', 'medium', 'low'];

describe('alarm math', () => {
  const shards = fc.integer({ min: 1, max: 10_000 });
  const expressions = [
    (n: number) => utilizationExpression(n),
    (n: number) => saturationExpression(n, 0.001, 0.95),
  ];

  test('the shard count round-trips through both expressions', () => {
    assertProperty(fc.property(shards, fc.constantFrom(...expressions), (n, expr) => shardsOfExpression(expr(n)) === n));
  });

  test('withShards rewrites only the shard count: the result is the expression written for the new count', () => {
    assertProperty(fc.property(shards, shards, fc.constantFrom(...expressions), (from, to, expr) => withShards(expr(from), to) === expr(to)));
  });

  test('labelWithShards rewrites the count in a label', () => {
    assertProperty(fc.property(shards, shards, (from, to) => labelWithShards(shardsLabel('Write utilisation', from), to) === shardsLabel('Write utilisation', to)));
  });

  test('an expression whose terms disagree or are missing is not mistaken for one of ours', () => {
    const e = utilizationExpression(8);
    expect(shardsOfExpression(e.replace('1000 * 8)', '1000 * 9)'))).toBeUndefined();
    expect(shardsOfExpression('FILL(bytes, 0) / (60 * 1048576 * 8)')).toBeUndefined();
    expect(shardsOfExpression('m1 / 60')).toBeUndefined();
    expect(() => withShards('m1 / 60', 4)).toThrow('not an expression with an embedded shard count');
  });

  test('refuses shard counts Kinesis does not allow', () => {
    expect(() => utilizationExpression(0)).toThrow('shard count must be a whole number from 1 to 10000, got 0');
    expect(() => utilizationExpression(10_001)).toThrow();
    expect(() => utilizationExpression(2.5)).toThrow();
  });
});

describe('alarm thresholds', () => {
  test('agree with the policy for every target utilisation and sensitivity', () => {
    assertProperty(fc.property(
      fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constantFrom(...SENSITIVITIES), fc.constantFrom(...SENSITIVITIES),
      (target, out, inn) => {
        const policy = resolveConfig({ minShards: 1, maxShards: 10, targetUtilization: target, scaleOutSensitivity: out, scaleInSensitivity: inn });
        const alarms = alarmThresholds(target, out, inn);
        expect(alarms).toEqual({
          scaleOutUtilization: policy.scaleOutUtilization,
          scaleOutMinutes: policy.scaleOutMinutes,
          throttleMinutes: policy.throttleMinutes,
          saturationUtilization: policy.saturationUtilization,
          minThrottledFraction: policy.minThrottledFraction,
          scaleInUtilization: policy.scaleInUtilization,
          scaleInMinutes: policy.scaleInMinutes,
        });
      },
    ));
  });
});
