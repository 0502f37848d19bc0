/**
 * DTLS Connection ID: when a device's source address changes (NAT rebinding) and its session
 * carries on, the registration follows the new address without an Update from the device.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Endpoint } from '@lwm2m-ts/coap';
import { createDtlsClient } from '@lwm2m-ts/transport-dtls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';

const key = new Uint8Array(16).fill(0xc1);

/** A one-device UDP relay (a NAT): the device talks to `port`; `rebind()` changes the source port the server sees. */
async function startRelay(target: number) {
  const bind = (socket: Socket) => new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const front = createSocket('udp4');
  await bind(front);
  let device: { address: string; port: number } | undefined;
  let outside: Socket;
  const open = async () => {
    const socket = createSocket('udp4');
    socket.on('message', (data) => {
      if (device && socket === outside) front.send(data, device.port, device.address);
    });
    await bind(socket);
    return socket;
  };
  outside = await open();
  front.on('message', (data, from) => {
    device = { address: from.address, port: from.port };
    outside.send(data, target, '127.0.0.1');
  });
  return {
    port: front.address().port,
    outsidePort: () => outside.address().port,
    async rebind() {
      const old = outside;
      outside = await open();
      old.close();
    },
    close() {
      front.close();
      outside.close();
    },
  };
}

let app: ServerApp;
let relay: Awaited<ReturnType<typeof startRelay>>;
let endpoint: Endpoint;

beforeAll(async () => {
  app = await startTestApp();
  relay = await startRelay(app.coapsPort!);
  endpoint = new Endpoint({ transport: await createDtlsClient({ psk: { identity: 'cid-dev-id', key }, cid: true }) });
});
afterAll(async () => {
  await endpoint?.close();
  relay?.close();
  await app?.close();
});

describe('DTLS Connection ID address change', () => {
  it('moves the registration to the new address', async () => {
    await api(app, 'PUT', '/api/security/clients/cid-dev', {
      psk: { identity: 'cid-dev-id', key: Buffer.from(key).toString('hex') },
    });
    const uri = (path: string) => `coaps://127.0.0.1:${relay.port}${path}`;
    const registered = await endpoint.request({ method: 'POST', uri: uri('/rd?ep=cid-dev&lt=300'), payload: '</3/0>' });
    expect(registered.codeText).toBe('2.01');
    const before = (await api(app, 'GET', '/api/clients/cid-dev')).json;
    expect(before.port).toBe(relay.outsidePort());
    const updates: { endpoint: string }[] = [];
    app.context.hub.subscribe({ types: new Set(['updated'] as const) }, (e) => updates.push(e as { endpoint: string }));

    await relay.rebind();
    expect(relay.outsidePort()).not.toBe(before.port);
    // Any record from the new address moves the session: here a request that is not an Update.
    const other = await endpoint.request({ method: 'GET', uri: uri('/.well-known/core') });
    expect(other.codeText).not.toBe('');
    const after = await waitFor(async () => {
      const r = (await api(app, 'GET', '/api/clients/cid-dev')).json;
      return r.port === relay.outsidePort() ? r : undefined;
    });
    expect(after).toMatchObject({ address: '127.0.0.1', registrationId: before.registrationId, transport: 'coaps' });
    expect(updates.map((u) => u.endpoint)).toContain('cid-dev');
  });
});
