#!/usr/bin/env node
/**
 * The CDK app of the examples (cdk.json points here). Synthesizes with no AWS account: the stacks are
 * environment-agnostic unless CDK_DEFAULT_ACCOUNT/REGION are set by `cdk deploy`. Every stack passes the gates:
 * the cdk-nag packs run at synth and fail it on any unacknowledged finding.
 */
import { App } from 'aws-cdk-lib';
import { GATE_CONTEXT, addNagPacks } from './gates';
import { ClickstreamStack } from '../examples/clickstream-stack';
import { IotSensorStack } from '../examples/iot-sensor-stack';
import { StreamExampleStack } from '../examples/stream-stack';

const app = new App({ context: GATE_CONTEXT });
addNagPacks(app);
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
new IotSensorStack(app, 'IotSensorPipeline', { env });
new ClickstreamStack(app, 'ClickstreamPipeline', { env });
new StreamExampleStack(app, 'KinesisStreamExample', { env });
app.synth();
