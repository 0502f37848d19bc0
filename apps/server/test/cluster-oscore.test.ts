/**
 * Cluster mode does not serve OSCORE: every node would count Sender Sequence Numbers from its own
 * memory, so two nodes answering one device could reuse a nonce. A request carrying the OSCORE
 * option is refused (4.02 Bad Option: nobody here processes that critical option) and nothing
 * is registered; plain CoAP on the same port keeps working.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api } from './app-harness';
import { RedisServerProcess, requireRedisServer, startClusterNode } from './cluster-harness';

const BASE = 27060;
const REDIS_PORT = 27096;

const redisAvailable = requireRedisServer('server-app cluster OSCORE');
let redis: RedisServerProcess;
let node: ServerApp;
beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await RedisServerProcess.start({ port: REDIS_PORT });
  node = await startClusterNode(redis.url, BASE, 0);
}, 30_000);
afterAll(async () => {
  await node?.close();
  await redis?.stop();
});

/** Sends one datagram to the node's CoAP port and returns the first reply (or throws after 3 s). */
async function exchange(datagram: Uint8Array): Promise<Buffer> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 3 s')), 3000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(datagram, node.coapPort, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

describe.runIf(redisAvailable)('OSCORE in cluster mode', () => {
  it('refuses a request protected with OSCORE and registers nothing', async () => {
    // CON POST, MID 0x1234, no token; OSCORE option (9): flags 0x09 (1-byte Partial IV, kid), PIV 5, kid 0x42;
    // then a payload standing in for the ciphertext.
    const request = Uint8Array.from([0x40, 0x02, 0x12, 0x34, 0x93, 0x09, 0x05, 0x42, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const reply = await exchange(request);
    expect(reply[0]! >> 4).toBe(0x6); // version 1, ACK
    expect(reply.readUInt16BE(2)).toBe(0x1234);
    const code = reply[1]!;
    expect(`${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`).toBe('4.02');
    const clients = await api(node, 'GET', '/api/clients');
    expect(clients.json).toMatchObject({ total: 0 });
  });

  it('still answers plain CoAP on the same port', async () => {
    // CON GET /.well-known/core, MID 0x2345.
    const wellKnown = new TextEncoder().encode('.well-known');
    const core = new TextEncoder().encode('core');
    const request = Uint8Array.from([0x40, 0x01, 0x23, 0x45, 0xbb, ...wellKnown, 0x04, ...core]);
    const reply = await exchange(request);
    expect(reply.readUInt16BE(2)).toBe(0x2345);
    expect(reply[1]! >> 5).not.toBe(5); // not a server error
  });
});
