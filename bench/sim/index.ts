export * from './alarm';
export * from './controllers';
export * from './engine';
export * from './trace';
export * from './bound';
