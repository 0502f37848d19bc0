export * from './base64url';
export * from './cbor-reader';
export * from './cbor-writer';
export * from './senml-cbor';
export * from './senml-json';
export * from './senml-record';
export * from './tlv';
export * from './tlv-values';
