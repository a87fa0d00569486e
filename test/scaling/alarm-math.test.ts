import * as fc from 'fast-check';
import { resolveConfig, type Sensitivity } from '../../lambda/shard-autoscaler/policy';
import { shardsOfExpression, utilizationExpression } from '../../lib/scaling/private/alarm-math';
import { alarmThresholds } from '../../lib/scaling/private/thresholds';

const SENSITIVITIES: Sensitivity[] = ['high', 'medium', 'low'];

describe('alarm math', () => {
  test('the shard count round-trips through the utilisation expression', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => shardsOfExpression(utilizationExpression(n)) === n));
  });

  test('an expression changed by hand is not mistaken for one of ours', () => {
    const e = utilizationExpression(8);
    expect(shardsOfExpression(e.replace('* 8)', '* 9)'))).toBeUndefined();
    expect(shardsOfExpression(e.replace('MAX', 'MIN'))).toBeUndefined();
    expect(shardsOfExpression('m1 / 60')).toBeUndefined();
  });

  test('refuses shard counts Kinesis does not allow', () => {
    expect(() => utilizationExpression(0)).toThrow('shard count must be a whole number from 1 to 10000, got 0');
    expect(() => utilizationExpression(10_001)).toThrow();
    expect(() => utilizationExpression(2.5)).toThrow();
  });
});

describe('alarm thresholds', () => {
  test('agree with the policy for every target utilisation and sensitivity', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constantFrom(...SENSITIVITIES), fc.constantFrom(...SENSITIVITIES),
      (target, out, inn) => {
        const policy = resolveConfig({ minShards: 1, maxShards: 10, targetUtilization: target, scaleOutSensitivity: out, scaleInSensitivity: inn });
        const alarms = alarmThresholds(target, out, inn);
        expect(alarms).toEqual({
          scaleOutUtilization: policy.scaleOutUtilization,
          scaleOutMinutes: policy.scaleOutMinutes,
          throttleMinutes: policy.throttleMinutes,
          minThrottledFraction: policy.minThrottledFraction,
          scaleInUtilization: policy.scaleInUtilization,
          scaleInMinutes: policy.scaleInMinutes,
        });
      },
    ));
  });
});
