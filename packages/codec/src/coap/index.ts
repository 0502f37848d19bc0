export * from './message';
export * from './option-numbers';
