export * from './node';
export * from './value';
