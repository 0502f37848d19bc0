/**
 * An established observation. Bound to a registration id (not to an address), so it survives a
 * client's address change reported through an Update: the protocol adapter re-establishes it at
 * the new address under the same id.
 */
export interface ObservationInfo {
  /** Server-assigned, stable for the observation's whole life. */
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
