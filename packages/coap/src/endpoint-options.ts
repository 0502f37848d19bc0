/**
 * What an Endpoint is configured with, and its normalisation: the defaults (clock, randomness,
 * token generator, timeouts, error hook), the RFC 7252 §4.8 times derived from the transmission
 * parameters, and the message layer the transport calls for (ReliabilityLayer on UDP/DTLS,
 * SignalingLayer on TCP/TLS/WS). Runs once per Endpoint, never per message.
 */
import type { CoapMessage } from '@lwm2m-ts/codec';
import type { BlockwiseOptions } from './blockwise/blockwise-layer';
import { type Clock, systemClock } from './clock';
import { DEFAULT_TRANSMISSION, type DerivedTimes, deriveTimes, type TransmissionParameters } from './config';
import type { ExchangeStore } from './exchange';
import {
  createMessageIdGenerator,
  createTokenGenerator,
  type MessageIdGenerator,
  type Random,
  type TokenGenerator,
} from './ids';
import type { MessageLayer } from './layer';
import type { Messenger, MessengerUpper } from './messenger';
import type { ObserveServerOptions } from './observe/observe-server';
import { ReliabilityLayer } from './reliability/reliability-layer';
import type { OptionChecks } from './server/option-checks';
import type { Router } from './server/router';
import { SignalingLayer, type SignalingOptions } from './signaling/signaling-layer';
import type { Peer, Transport } from './transport';

export interface EndpointOptions {
  readonly transport: Transport;
  /** Resources served; default an empty Router (reachable as `endpoint.router`). */
  readonly router?: Router;
  /** Extra message layers, top (application side) first; see MessageLayer. */
  readonly layers?: readonly MessageLayer[];
  readonly clock?: Clock;
  /** Randomness for retransmission jitter and first message id; default Math.random. */
  readonly random?: Random;
  /** Default: 4 random bytes from the platform CSPRNG. */
  readonly tokenGenerator?: TokenGenerator;
  readonly messageIdGenerator?: MessageIdGenerator;
  /** RFC 7252 §4.8 parameters (UDP/DTLS). */
  readonly transmission?: Partial<TransmissionParameters>;
  /** Dedup records kept at most (oldest evicted first); default 20 000. Replies: 4 KiB, grown while live. */
  readonly dedupCapacity?: number;
  /** Default request timeout (ms); default EXCHANGE_LIFETIME (247 s with default parameters). */
  readonly requestTimeoutMs?: number;
  /** A handler slower than this gets an empty ACK, then a separate response (ms); default 1000. */
  readonly piggybackWindowMs?: number;
  readonly blockwise?: Partial<BlockwiseOptions>;
  readonly observe?: Partial<ObserveServerOptions>;
  /** RFC 8323 CSM we send (reliable transports). */
  readonly signaling?: Partial<SignalingOptions>;
  /** Options a request may carry (unknown critical: 4.02); default one shared, immutable standard table. */
  readonly optionRegistry?: OptionChecks;
  /**
   * UDP/DTLS: a notification whose token matches no observation here (one another server node
   * established, in a cluster). Resolve true after `adoptObservation` took its token; false
   * rejects it with RST (the default without this hook).
   */
  readonly onUnknownNotification?: (message: CoapMessage, peer: Peer) => Promise<boolean>;
  /** Errors nobody awaits (send failures, handler crashes); default: ignored. */
  readonly onError?: (error: unknown, where: string) => void;
}

/** The options every part of the Endpoint reads, defaults applied. */
export interface ResolvedEndpointOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly nextToken: TokenGenerator;
  readonly params: TransmissionParameters;
  readonly times: DerivedTimes;
  readonly requestTimeoutMs: number;
  readonly onError: (error: unknown, where: string) => void;
}

export function resolveEndpointOptions(options: EndpointOptions): ResolvedEndpointOptions {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const nextToken = options.tokenGenerator ?? createTokenGenerator(4);
  const params: TransmissionParameters = { ...DEFAULT_TRANSMISSION, ...options.transmission };
  const times = deriveTimes(params);
  return {
    clock,
    random,
    nextToken,
    params,
    times,
    requestTimeoutMs: options.requestTimeoutMs ?? times.exchangeLifetimeMs,
    onError: options.onError ?? (() => {}),
  };
}

/** The bottom of the stack for the endpoint's transport: RFC 8323 signaling if reliable, else RFC 7252 reliability. */
export function createMessenger(
  options: EndpointOptions,
  resolved: ResolvedEndpointOptions,
  exchanges: ExchangeStore,
  upper: MessengerUpper,
): Messenger {
  const { transport } = options;
  const { clock, random } = resolved;
  return transport.reliable
    ? new SignalingLayer({
        transport,
        clock,
        exchanges,
        upper,
        nextToken: resolved.nextToken,
        ...options.signaling,
      })
    : new ReliabilityLayer({
        transport,
        clock,
        random,
        nextMessageId: options.messageIdGenerator ?? createMessageIdGenerator(random),
        params: resolved.params,
        times: resolved.times,
        exchanges,
        upper,
        dedupCapacity: options.dedupCapacity ?? 20_000,
        piggybackWindowMs: options.piggybackWindowMs ?? 1000,
      });
}
