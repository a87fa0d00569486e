export * from './iot-stream-rule';
export * from './stream-ingestion-api';
