export * from './formats/index';
export * from './link/index';
export * from './model/index';
export * from './node/index';
export * from './path/index';
export * from './validate/index';
