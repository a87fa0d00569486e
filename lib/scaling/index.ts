export * from './shard-autoscaler';
export * from './shard-autoscaler-alarms';
