import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CapacityMode, ClickstreamPipeline, FlinkCode } from '../../lib';

const env = { account: '123456789012', region: 'us-east-1' };
const STAND_IN_JAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
fs.writeFileSync(STAND_IN_JAR, 'stand-in');
const code = (): FlinkCode => FlinkCode.sqlRunner({ jarPath: STAND_IN_JAR });

describe('ClickstreamPipeline without a profile', () => {
  test('an on-demand clicks stream, no plan, no autoscaler', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const p = new ClickstreamPipeline(stack, 'Clicks', { capacityMode: CapacityMode.ON_DEMAND, flinkCode: code() });
    expect(p.clicks.plan).toBeUndefined();
    expect(p.autoscaler).toBeUndefined();
    const streams = Template.fromStack(stack).findResources('AWS::Kinesis::Stream');
    const clicks = streams[stack.getLogicalId(p.clicks.stream.node.defaultChild as CfnElement)];
    expect(clicks.Properties.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
  });

  test('defaults to on-demand', () => {
    const p = new ClickstreamPipeline(new Stack(new App(), 'Test', { env }), 'Clicks', { flinkCode: code() });
    expect(p.clicks.streamMode).toBe('ON_DEMAND');
  });

  test('throws when capacityMode PROVISIONED or AUTO has no profile to size from', () => {
    for (const mode of [CapacityMode.PROVISIONED, CapacityMode.AUTO]) {
      expect(() => new ClickstreamPipeline(new Stack(new App(), 'Test', { env }), 'Clicks', { capacityMode: mode, flinkCode: code() }))
        .toThrow(new RegExp(`ClickstreamPipeline "Test/Clicks": capacityMode needs a profile to size the clicks stream from: give profile, or use ON_DEMAND, got "${mode}"`));
    }
  });
});
