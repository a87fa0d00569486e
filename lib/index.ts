export * from './streams';
export * from './scaling';
export * from './flink';
export * from './delivery';
export * from './monitoring';
export * from './ingestion';
export * from './pipelines';
export * from './analytics';
