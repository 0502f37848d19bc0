import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { decodeUtf8 } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CoapLwM2mServer, createLwM2mServer, InMemorySecurityStore } from '../src/index';
import { FakeDevice } from './fake-device';

let server: CoapLwM2mServer;
const devices: FakeDevice[] = [];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const d of devices.splice(0)) await d.close();
  await server.close();
  vi.useRealTimers();
});

describe('registration authorization from the transport identity', () => {
  it('admits the provisioned PSK identity and refuses others with 4.03', async () => {
    const network = new MemoryNetwork();
    const serverTransport = network.transport('server', { port: 5684, scheme: 'coaps' });
    const securityStore = new InMemorySecurityStore([
      { endpoint: 'dev1', psk: { identity: 'dev1-psk', key: new Uint8Array([1, 2, 3]) } },
    ]);
    server = createLwM2mServer({ transport: serverTransport, securityStore });
    const device = (name: string, identity?: string) => {
      const t = network.transport(
        name,
        identity ? { identity: { kind: 'psk', identity }, scheme: 'coaps' } : { scheme: 'coaps' },
      );
      const d = new FakeDevice(t, t.peerOf(serverTransport));
      devices.push(d);
      return d;
    };

    const good = device('good', 'dev1-psk');
    expect((await good.register()).codeText).toBe('2.01');

    const thief = device('thief', 'other-psk');
    const refused = await thief.register();
    expect(refused.codeText).toBe('4.03');
    expect(decodeUtf8(refused.payload)).toContain('does not match');

    const plain = device('plain');
    expect((await plain.register()).codeText).toBe('4.03');

    // Another identity may not update or de-register dev1's registration, even knowing its id.
    thief.location = good.location;
    expect((await thief.update()).codeText).toBe('4.03');
    expect((await thief.deregister()).codeText).toBe('4.03');
    expect((await server.getRegistration('dev1'))?.peer.identity).toEqual({ kind: 'psk', identity: 'dev1-psk' });
  });
});
