/** What an LwM2mClient is built from, and what it reports about its servers. */
import type { Clock, EndpointOptions, Transport } from '@lwm2m-ts/coap';
import type { ModelRegistry, NodeCodecRegistry } from '@lwm2m-ts/objects';
import type { DirectAccessRule } from './access/direct-access';
import type { ObjectDefinition } from './enabler/object-enabler';
import type { QueueModeOptions } from './queue/queue-mode';
import type { TransportFactory } from './security/account-security';

export type { QueueModeOptions } from './queue/queue-mode';
export type LwM2mVersion = '1.0' | '1.1' | '1.2';

export interface LwM2mClientOptions {
  /** Endpoint Client Name (`ep=`). */
  readonly endpointName: string;
  /**
   * The socket the client registers from and serves on (UDP, DTLS, TCP, ... or MemoryNetwork),
   * shared by every account the `transportFactory` does not give a transport of its own.
   */
  readonly transport?: Transport;
  /**
   * Builds each account's transport (and layers, e.g. OSCORE) from its Security instance
   * (/0/x: URI, mode, identity, keys; /0/x/17 -> OSCORE /21/y). Called for the bootstrap
   * account before bootstrapping and for every server account before registering, again when
   * a bootstrap changed the credentials. Return undefined to use `transport`.
   */
  readonly transportFactory?: TransportFactory;
  /** Objects and their instances; Security (0) and Server (1) instances name the servers. */
  readonly objects: readonly ObjectDefinition[];
  /** Object definitions; default the embedded core + IPSO set. */
  readonly models?: ModelRegistry;
  /** Content-format codecs; default every format of @lwm2m-ts/objects. */
  readonly codecs?: NodeCodecRegistry;
  /** Default 1.1. */
  readonly lwm2mVersion?: LwM2mVersion;
  /** Queue mode (`Q`): sleep between exchanges, wake for Update and Send. */
  readonly queueMode?: boolean | QueueModeOptions;
  /** Format of objects/instances when a request has no Accept; default TLV (1.0) or SenML CBOR. */
  readonly defaultContentFormat?: number;
  /** How long to wait for Bootstrap-Finish (ms); default 300 s. */
  readonly bootstrapTimeoutMs?: number;
  /** LwM2M 1.2: bootstrap with one Bootstrap-Pack-Request (`GET /bspack`) instead of `POST /bs`. */
  readonly bootstrapPack?: boolean;
  /**
   * Peers other than this client's servers that may send it requests (another device on the
   * network, a test tool), matched on address, port and the identity the transport established.
   * Nothing is allowed implicitly: without a rule, only the bootstrap server and servers whose
   * registration succeeded are served; everyone else gets 4.01.
   */
  readonly directAccess?: readonly DirectAccessRule[];
  readonly clock?: Clock;
  /** Extra Endpoint settings (transmission parameters, layers, token generator, ...). */
  readonly endpoint?: Omit<EndpointOptions, 'transport' | 'router' | 'clock'>;
}

export interface ServerStatus {
  readonly shortServerId: number;
  readonly uri: string;
  readonly registered: boolean;
  readonly location: string | undefined;
}
