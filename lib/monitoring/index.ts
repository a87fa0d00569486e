export * from './alarm-topic';
export * from './alarm-set';
