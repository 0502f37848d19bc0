import type { LwM2mNode } from '@lwm2m-ts/objects';
import type { ResponseCode } from '../core/response-code';
import type { ObservationInfo } from './observation';

/** One notification of an observation, decoded. */
export interface Notification {
  readonly observation: ObservationInfo;
  /** 2.05 for a value; an error code ends the observation (RFC 7641 §4.2). */
  readonly code: ResponseCode;
  /** Single observation: the observed node. */
  readonly content?: LwM2mNode;
  /** Composite observation: path text -> node. */
  readonly compositeContent?: ReadonlyMap<string, LwM2mNode>;
  readonly diagnostic?: string;
  readonly receivedAt: number;
}
