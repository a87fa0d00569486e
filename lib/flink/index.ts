export * from './runtime';
export * from './code';
export * from './sql-script';
export * from './flink-application';
export * from './flink-application-alarms';
