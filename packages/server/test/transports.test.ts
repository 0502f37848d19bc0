import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CoapLwM2mServer, createLwM2mServer } from '../src/index';
import { FakeDevice } from './fake-device';

let server: CoapLwM2mServer;
let device: FakeDevice;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await device.close();
  await server.close();
  vi.useRealTimers();
});

/** Runs `work` while advancing fake time, so retransmission timers fire. */
async function withTime<T>(work: Promise<T>, stepMs = 500, maxSteps = 400): Promise<T> {
  let done = false;
  const result = work.finally(() => {
    done = true;
  });
  for (let i = 0; i < maxSteps && !done; i++) await vi.advanceTimersByTimeAsync(stepMs);
  return result;
}

describe('the server on other links', () => {
  it('works over a lossy, duplicating UDP-like network (CoAP retransmissions)', async () => {
    const network = new MemoryNetwork({ loss: 0.25, duplicate: 0.2, delayMs: 5 });
    const serverTransport = network.transport('server', { port: 5683 });
    server = createLwM2mServer({ transport: serverTransport, requestTimeoutMs: 120_000 });
    const transport = network.transport('device');
    device = new FakeDevice(transport, transport.peerOf(serverTransport));
    expect((await withTime(device.register())).codeText).toBe('2.01');
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 10; i++) {
      const read = await withTime(server.read('dev1', '/3/0', { format: ContentFormat.LWM2M_TLV }));
      expect(read.code).toBe('2.05');
    }
    expect(network.stats.lost).toBeGreaterThan(0);
    expect(await server.listRegistrations()).toHaveLength(1);
  });

  it('works over a reliable stream transport (CoAP over TCP framing)', async () => {
    const network = new MemoryNetwork();
    const serverTransport = network.transport('server', { port: 5683, kind: 'stream' });
    server = createLwM2mServer({ transport: serverTransport, requestTimeoutMs: 5_000 });
    const transport = network.transport('device', { kind: 'stream' });
    device = new FakeDevice(transport, transport.peerOf(serverTransport));
    expect((await withTime(device.register(), 10, 50)).codeText).toBe('2.01');
    await vi.advanceTimersByTimeAsync(10);
    const read = await withTime(server.read('dev1', '/3/0/0'), 10, 50);
    expect(read.code).toBe('2.05');
    const observation = await withTime(server.observe('dev1', '/3/0/9'), 10, 50);
    device.setBattery(5);
    await vi.advanceTimersByTimeAsync(10);
    const next = await observation[Symbol.asyncIterator]().next();
    expect(next.value?.code).toBe('2.05');
  });
});
