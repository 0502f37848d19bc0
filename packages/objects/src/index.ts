export * from './node/index';
export * from './path/index';
