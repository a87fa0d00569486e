import { App, Stack, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { PipelineValidationError, ShardAutoscaler, SqlScript } from '../lib';
import { utilizationExpression } from '../lib/scaling/private/alarm-math';

function autoscaler(stack: Stack, props: Partial<ConstructorParameters<typeof ShardAutoscaler>[2]>): ShardAutoscaler {
  const stream = kinesis.Stream.fromStreamArn(stack, 'Stream', 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks');
  return new ShardAutoscaler(stack, 'Scaler', { stream, minShards: 1, maxShards: 8, initialShardCount: 2, ...props });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('PipelineValidationError', () => {
  test('a user catches a refused prop with instanceof and reads the construct path, prop, value and what is allowed', () => {
    const stack = new Stack(new App(), 'Test');
    const e = caught(() => autoscaler(stack, { minShards: 5, maxShards: 2 }));
    expect(e).toBeInstanceOf(PipelineValidationError);
    expect(e).toBeInstanceOf(Error);
    if (!(e instanceof PipelineValidationError)) return;
    expect(e.name).toBe('PipelineValidationError');
    expect(e.message).toBe('ShardAutoscaler "Test/Scaler": minShards must be <= maxShards (2), got 5');
    expect(e.source).toBe('ShardAutoscaler "Test/Scaler"');
    expect(e.constructPath).toBe('Test/Scaler');
    expect(e.prop).toBe('minShards');
    expect(e.value).toBe(5);
    expect(e.allowed).toBe('must be <= maxShards (2)');
  });

  test('an error about a prop whose message has its own order still names the prop and the value', () => {
    const stack = new Stack(new App(), 'Test');
    const e = caught(() => autoscaler(stack, { streamMode: kinesis.StreamMode.ON_DEMAND }));
    expect(e).toBeInstanceOf(PipelineValidationError);
    expect((e as PipelineValidationError).message)
      .toMatch(/^ShardAutoscaler "Test\/Scaler": streamMode must be PROVISIONED, got "ON_DEMAND": an on-demand stream scales itself/);
    expect((e as PipelineValidationError).prop).toBe('streamMode');
    expect((e as PipelineValidationError).value).toBe(kinesis.StreamMode.ON_DEMAND);
  });

  test('factories and the modules the handlers share throw it too, without a construct path', () => {
    const factory = caught(() => SqlScript.bundled('nope.sql'));
    expect(factory).toBeInstanceOf(PipelineValidationError);
    expect((factory as PipelineValidationError).source).toBe('SqlScript.bundled');
    expect((factory as PipelineValidationError).constructPath).toBeUndefined();
    const shared = caught(() => utilizationExpression(0));
    expect(shared).toBeInstanceOf(PipelineValidationError);
    expect((shared as PipelineValidationError).message).toBe('shard count must be a whole number from 1 to 10000, got 0');
    expect((shared as PipelineValidationError).source).toBeUndefined();
  });

  test('the error helpers add no aws-cdk-lib to a Lambda bundle that reports errors through them', () => {
    // The shard autoscaler's handler bundles the alarm math, which reports through lib/private/errors.ts.
    const result = buildSync({
      entryPoints: ['lib/scaling/private/alarm-math.ts'], bundle: true, platform: 'node', write: false, metafile: true,
    });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs).toContain('lib/private/errors.ts');
    expect(inputs.filter((i) => i.includes('node_modules/'))).toEqual([]);
  });
});
