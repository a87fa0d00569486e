export * from './pipeline-analytics';
