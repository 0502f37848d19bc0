/**
 * Test fixtures for packages built on the codec (`@lwm2m-ts/codec/testing`): the LwM2M seed
 * payloads byte for byte, and hex helpers to write byte-exact tests against them.
 */
export {
  DEVICE_SENML_CBOR_HEX,
  DEVICE_SENML_JSON,
  DEVICE_TLV_HEX,
  hex,
  toHex,
  WRITE_COMPOSITE_SENML_JSON,
} from './device-seed';
