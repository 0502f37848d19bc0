export * from './discover-links';
export * from './registration-links';
