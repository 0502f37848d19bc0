/**
 * Nodes answer Register's authorization from their security cache: a security change made through
 * another node still decides the next Register here (the cache forgets it on sec:changed).
 * Ports 27540-27543, Redis 27596.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api } from './app-harness';
import { requireRedisServer, startTwoNodes, type TwoNodeCluster } from './cluster-harness';

const BASE = 27540;
const REDIS_PORT = 27596;

const ascii = (s: string) => [...new TextEncoder().encode(s)];

/** CON POST /rd?ep=…&lt=300&lwm2m=1.1&b=U, link-format payload, no token. */
function register(endpoint: string, messageId: number): Uint8Array {
  const ep = ascii(`ep=${endpoint}`);
  if (ep.length > 12) throw new Error('short endpoint names only');
  return Uint8Array.from([
    0x40,
    0x02,
    messageId >> 8,
    messageId & 0xff,
    0xb2, // Uri-Path (11) "rd"
    ...ascii('rd'),
    0x11, // Content-Format (12): 40, link-format
    40,
    0x30 | ep.length, // Uri-Query (15)
    ...ep,
    0x06,
    ...ascii('lt=300'),
    0x09,
    ...ascii('lwm2m=1.1'),
    0x03,
    ...ascii('b=U'),
    0xff,
    ...ascii('</3/0>'),
  ]);
}

async function responseCode(port: number, datagram: Uint8Array): Promise<string> {
  const socket = createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply within 3 s')), 3000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(datagram, port, '127.0.0.1');
    });
    const code = reply[1]!;
    return `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
  } finally {
    socket.close();
  }
}

/** Registers until the answer is `want` (a change reaches the other node within milliseconds). */
async function registerUntil(port: number, endpoint: string, want: string, firstId: number): Promise<string> {
  let code = '';
  for (let i = 0; i < 40; i++) {
    code = await responseCode(port, register(endpoint, firstId + i));
    if (code === want) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  return code;
}

if (requireRedisServer('server-app cluster security cache')) {
  describe('cluster: security changes reach every node', () => {
    let cluster: TwoNodeCluster;
    let a: ServerApp;
    let b: ServerApp;
    beforeAll(async () => {
      cluster = await startTwoNodes(REDIS_PORT, BASE);
      ({ a, b } = cluster);
    }, 30_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it('a PSK added on node B refuses the unsecured Register on node A; removing it admits it again', async () => {
      expect(await responseCode(a.coapPort, register('sec-dev', 0x100))).toBe('2.01'); // A now caches "none"
      const put = await api(b, 'PUT', '/api/security/clients/sec-dev', { psk: { identity: 'sec-id', key: '0011' } });
      expect(put.status).toBeLessThan(300);
      expect(await registerUntil(a.coapPort, 'sec-dev', '4.03', 0x200)).toBe('4.03');
      expect((await api(b, 'DELETE', '/api/security/clients/sec-dev')).status).toBeLessThan(300);
      expect(await registerUntil(a.coapPort, 'sec-dev', '2.01', 0x300)).toBe('2.01');
    });
  });
}
