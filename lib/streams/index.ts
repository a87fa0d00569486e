export * from './capacity';
export * from './pipeline-stream';
export * from './stream-alarms';
export * from './stream-metrics';
export * from './pipeline-stream-base';
