/**
 * node-coap (npm `coap` 1.5) as the peer, both ways: its client against our `coap serve`, and
 * our CLI against its server. Known node-coap defects are noted where they matter (INTEROP.md):
 * Block1 reassembly keyed on the token, and NON error responses with an empty token.
 */
import { LARGE_BODY } from '@lwm2m-ts/cli';
import coap from 'coap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coap as ourCli } from './our-cli';
import { type OurServer, startOurServer } from './our-server';

const OUR_PORT = 25695;
const THEIR_PORT = 25696;
const THEIR_LARGE = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(48 + (i % 10))).join('');

/** One node-coap request; resolves with each response/notification payload until `count` or end. */
function nodeCoapGet(
  agent: coap.Agent,
  path: string,
  options: { observe?: boolean; count?: number; block2?: Buffer } = {},
): Promise<{ code: string; payloads: string[] }> {
  return new Promise((resolve, reject) => {
    const req = coap.request({
      hostname: '127.0.0.1',
      port: OUR_PORT,
      pathname: path,
      agent,
      ...(options.observe ? { observe: true } : {}),
      ...(options.block2 ? { options: { Block2: options.block2 } } : {}),
    });
    const timer = setTimeout(() => reject(new Error(`node-coap: no answer to ${path}`)), 8000);
    req.on('response', (res: coap.IncomingMessage) => {
      const payloads: string[] = [];
      if (!options.observe) {
        clearTimeout(timer);
        resolve({ code: res.code, payloads: [res.payload.toString()] });
        return;
      }
      payloads.push(res.payload.toString());
      res.on('data', (chunk: Buffer) => {
        if (payloads.length === 1 && chunk.toString() === payloads[0]) return; // the first response is also emitted as data
        payloads.push(chunk.toString());
        if (payloads.length >= (options.count ?? 1)) {
          clearTimeout(timer);
          (res as unknown as { close(): void }).close();
          resolve({ code: res.code, payloads });
        }
      });
    });
    req.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}

describe('node-coap client -> our coap serve', () => {
  let server: OurServer | undefined;
  let agent: coap.Agent;
  beforeAll(async () => {
    server = await startOurServer('127.0.0.1', OUR_PORT, 100);
    agent = new coap.Agent({ type: 'udp4' });
  });
  afterAll(async () => {
    agent.close();
    expect(await server?.stop()).toBe(0);
  });

  it('GET /time', async () => {
    const r = await nodeCoapGet(agent, '/time');
    expect(r.code).toBe('2.05');
    expect(r.payloads[0]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('observe /time: 5 notifications, each newer', async () => {
    const r = await nodeCoapGet(agent, '/time', { observe: true, count: 6 });
    expect(r.code).toBe('2.05');
    expect(r.payloads.length).toBeGreaterThanOrEqual(6);
    expect(new Set(r.payloads).size).toBeGreaterThanOrEqual(5);
    expect([...r.payloads].sort()).toEqual(r.payloads);
  });

  it('Block2: /large reassembled by node-coap (server-chosen and 64-byte blocks)', async () => {
    const r = await nodeCoapGet(agent, '/large');
    expect(r.payloads[0]).toBe(LARGE_BODY);
    const small = await nodeCoapGet(agent, '/large', { block2: Buffer.from([0x02]) });
    expect(small.payloads[0]).toBe(LARGE_BODY);
  });
});

describe('our CLI -> node-coap server', () => {
  let server: coap.Server;
  let ticker: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    server = coap.createServer({ type: 'udp4' });
    server.on('request', (req: coap.IncomingMessage, res: coap.OutgoingMessage) => {
      if (req.url === '/hello') {
        res.setOption('Content-Format', 'text/plain');
        res.end('hello from node-coap');
      } else if (req.url === '/large') {
        res.setOption('Content-Format', 'text/plain');
        res.end(THEIR_LARGE);
      } else if (req.url === '/counter' && req.headers.Observe === 0) {
        let n = 0;
        res.setOption('Content-Format', 'text/plain');
        res.write(`count ${n}`);
        ticker = setInterval(() => {
          n += 1;
          res.write(`count ${n}`);
        }, 100);
        res.on('finish', () => clearInterval(ticker));
      } else {
        res.code = '4.04';
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(THEIR_PORT, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    if (ticker) clearInterval(ticker);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GET', async () => {
    const r = await ourCli(['get', `coap://127.0.0.1:${THEIR_PORT}/hello`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello from node-coap');
  });

  it('observe: 5 notifications after the first response', async () => {
    const r = await ourCli(['observe', '--count', '6', `coap://127.0.0.1:${THEIR_PORT}/counter`]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('count 0');
    const numbers = lines.map((l) => Number(l.replace('count ', '')));
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(new Set(numbers).size).toBe(6);
  });

  it('Block2: 3000 bytes in 64-byte blocks', async () => {
    const r = await ourCli(['get', '-b', '64', '-v', `coap://127.0.0.1:${THEIR_PORT}/large`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(THEIR_LARGE);
    const blocks = r.err.split('\n').filter((l) => l.startsWith('<-') && /Block2:\d+\/[01]\/64/.test(l));
    expect(blocks).toHaveLength(Math.ceil(3000 / 64));
  });
});
