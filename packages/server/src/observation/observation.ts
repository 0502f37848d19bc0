/**
 * An established observation. Keyed by registration id (not by address), so it survives a
 * client's address change reported through an Update; the CoAP token is the observation id.
 */
export interface ObservationInfo {
  /** The CoAP token in lowercase hex: unique per server, the key notifications are matched by. */
  readonly id: string;
  readonly registrationId: string;
  readonly endpoint: string;
  readonly kind: 'single' | 'composite';
  /** Observed path(s), as text ("/3/0/13"). */
  readonly paths: readonly string[];
  /** Content format asked for (Accept), if any. */
  readonly format?: number;
  /** Request payload format for composite observations. */
  readonly requestFormat?: number;
  readonly createdAt: number;
}

export const tokenToObservationId = (token: Uint8Array): string => {
  let hex = '';
  for (const b of token) hex += b.toString(16).padStart(2, '0');
  return hex;
};

export const observationIdToToken = (id: string): Uint8Array => {
  if (!/^(?:[0-9a-f]{2}){1,8}$/.test(id)) throw new RangeError(`observation id "${id}" is not a 1..8 byte hex token`);
  const out = new Uint8Array(id.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(id.slice(i * 2, i * 2 + 2), 16);
  return out;
};
