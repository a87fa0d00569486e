// A user's CDK app, plain CommonJS: it requires the library by its package name, as installed from the packed tarball.
// test/package/installed-package.test.ts copies it into a fresh temporary app and runs it with plain `node`.
const { App, Size, Stack } = require('aws-cdk-lib');
const {
  CapacityMode, ClickstreamPipeline, IotSensorPipeline, PipelineStream,
} = require('kinesis-streaming-pipelines');

const app = new App({ outdir: process.argv[2] });

const streamStack = new Stack(app, 'UserStream');
const clicks = new PipelineStream(streamStack, 'Clicks', {
  profile: { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2), efoConsumers: 1 },
});
clicks.addConsumer('Analytics');

new IotSensorPipeline(new Stack(app, 'UserIot'), 'Sensors', {
  fleet: { devices: 10000, messagesPerDevicePerSecond: 0.2, averageMessageSize: Size.bytes(600) },
  capacityMode: CapacityMode.AUTO,
});

new ClickstreamPipeline(new Stack(app, 'UserClickstream'), 'Shop', {
  profile: { peakRecordsPerSecond: 2000, averageRecordSize: Size.kibibytes(1) },
});

app.synth();
