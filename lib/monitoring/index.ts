export * from './alarm-topic';
export * from './alarm-set';
export * from './stream-alarms';
