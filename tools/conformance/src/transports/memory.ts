/** Pairs on @lwm2m-ts/coap's in-process MemoryNetwork (datagram framing, optionally lossy). */
import {
  type MemoryNetwork,
  type MemoryNetworkOptions,
  MemoryNetwork as Network,
  seededRandom,
} from '@lwm2m-ts/coap/testing';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { connect, type LwM2mPair } from '../pair';

export interface MemoryPair extends LwM2mPair {
  readonly network: MemoryNetwork;
}

/**
 * On the lossy link: shorter CoAP retransmission timers, so it recovers in real time within the
 * suite's steps, and confirmable notifications (a lost NON notification is legitimately gone).
 */
const LOSSY_LINK_ENDPOINT = {
  transmission: { ackTimeoutMs: 150, ackRandomFactor: 1.5, maxRetransmit: 5 },
  observe: { confirmable: true },
};

export async function memoryPair(
  conditions: Omit<MemoryNetworkOptions, 'random' | 'clock'> = {},
  seed = 7,
): Promise<MemoryPair> {
  const network = new Network({ ...conditions, random: seededRandom(seed) });
  const lossy = (conditions.loss ?? 0) > 0 || (conditions.duplicate ?? 0) > 0;
  const server = createLwM2mServer({
    transport: network.transport('server', { port: 5683 }),
    ...(lossy ? { endpoint: LOSSY_LINK_ENDPOINT } : {}),
  });
  const pair = await connect(server, {
    endpointName: lossy ? 'memory-lossy-dev' : 'memory-dev',
    transport: network.transport('dev', { port: 40001 }),
    serverUri: 'coap://server:5683',
    ...(lossy ? { endpoint: LOSSY_LINK_ENDPOINT } : {}),
  });
  return { ...pair, network };
}
