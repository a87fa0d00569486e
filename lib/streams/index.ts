export { StreamCapacity, ThroughputProfile, CapacityPlan, BindingConstraint } from './capacity';
export * from './pipeline-stream';
export * from './stream-metrics';
