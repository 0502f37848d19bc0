/**
 * libcoap's plain `coap-client-notls` against our LwM2M stack on UDP loopback (ports 26500-26509):
 * 1. as a device: Register / Update / De-register against createLwM2mServer;
 * 2. as another host on the network: reads and observes our LwM2mClient's resources.
 *
 * What our client permits (packages/client/src/access/request-router.ts): its registered servers
 * and the peers an explicit `directAccess` rule names — anything else gets 4.01. libcoap is
 * let in by the rule { address 127.0.0.1, port 26505, no DTLS identity, operations ['read'] },
 * with its client bound to that port (`-p 26505`); the same address from another port is
 * refused, and so is a Write from the allowed port (read-only rule).
 * libcoap exits 0 even on failure: every assertion is on what it printed.
 */

import { accountObjects, deviceInstance, ipsoSensor, LwM2mClient } from '@lwm2m-ts/client';
import type { CoapLwM2mServer, Registration } from '@lwm2m-ts/server';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import { haveLibcoap, LIBCOAP_CLIENT, libcoapClient } from '../src/libcoap';
import { peerAvailable } from '../src/peers';

const HOST = '127.0.0.1';
const RD_PORT = 26500;
const SERVER_PORT = 26502;
const CLIENT_PORT = 26503;
const LIBCOAP_LOCAL_PORT = 26505;

const run = peerAvailable(LIBCOAP_CLIENT, haveLibcoap(), 'apt-get install libcoap3-bin');

function nextEvent<K extends 'registered' | 'updated' | 'deregistered'>(
  server: CoapLwM2mServer,
  name: K,
  endpoint: string,
): Promise<Registration> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event for ${endpoint}`)), 10_000);
    const off = server.events.on(name, (e: { registration: Registration }) => {
      if (e.registration.endpoint !== endpoint) return;
      clearTimeout(timer);
      off();
      resolve(e.registration);
    });
  });
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

describe.runIf(run)('libcoap coap-client-notls as an LwM2M device against createLwM2mServer', () => {
  it('registers, updates and de-registers; the server emits the events and lists it', async () => {
    const server = createLwM2mServer({ transport: await createUdpTransport({ host: HOST, port: RD_PORT }) });
    cleanup.push(() => server.close());
    const base = `coap://${HOST}:${RD_PORT}`;

    const registered = nextEvent(server, 'registered', 'libcoap-dev');
    const reg = await libcoapClient([
      '-v',
      '6',
      '-m',
      'post',
      '-e',
      '</1/0>,</3/0>,</3303/0>',
      `${base}/rd?ep=libcoap-dev&lt=60&lwm2m=1.1&b=U`,
    ]);
    // libcoap prints the ACK with the Location-Path options at -v 6.
    const location = /c:2\.01 .*Location-Path:rd, Location-Path:([A-Za-z0-9_-]+)/.exec(reg.stdout);
    expect(location, reg.stdout + reg.stderr).not.toBeNull();
    const id = location![1]!;
    const r = await registered;
    expect(r).toMatchObject({ id, endpoint: 'libcoap-dev', lifetime: 60, lwm2mVersion: '1.1', binding: 'U' });
    expect(r.objectLinks).toBe('</1/0>,</3/0>,</3303/0>');
    expect((await server.listRegistrations()).map((x) => [x.endpoint, x.id])).toEqual([['libcoap-dev', id]]);

    // Update: a new lifetime and new links (libcoap sends from a new ephemeral port each run).
    const updated = nextEvent(server, 'updated', 'libcoap-dev');
    const upd = await libcoapClient([
      '-v',
      '6',
      '-m',
      'post',
      '-e',
      '</1/0>,</3/0>,</3303/0>,</3303/1>',
      `${base}/rd/${id}?lt=120`,
    ]);
    expect(upd.stdout).toMatch(/t:ACK c:2\.04/);
    const u = await updated;
    expect(u).toMatchObject({ id, lifetime: 120, objectLinks: '</1/0>,</3/0>,</3303/0>,</3303/1>' });
    expect((await server.getRegistration('libcoap-dev'))?.lifetime).toBe(120);

    // An Update to an unknown registration is refused with 4.04.
    const unknown = await libcoapClient(['-v', '6', '-m', 'post', `${base}/rd/no-such-id`]);
    expect(unknown.stdout).toMatch(/t:ACK c:4\.04/);

    const deregistered = nextEvent(server, 'deregistered', 'libcoap-dev');
    const del = await libcoapClient(['-v', '6', '-m', 'delete', `${base}/rd/${id}`]);
    expect(del.stdout).toMatch(/t:ACK c:2\.02/);
    expect((await deregistered).id).toBe(id);
    expect(await server.listRegistrations()).toEqual([]);
  });
});

describe.runIf(run)('libcoap coap-client-notls reads and observes our LwM2mClient', () => {
  async function startDevice() {
    const server = createLwM2mServer({ transport: await createUdpTransport({ host: HOST, port: SERVER_PORT }) });
    cleanup.push(() => server.close());
    const registered = nextEvent(server, 'registered', 'observed-dev');
    const sensor = ipsoSensor({ value: 20, units: 'Cel' });
    const client = new LwM2mClient({
      endpointName: 'observed-dev',
      transport: await createUdpTransport({ host: HOST, port: CLIENT_PORT }),
      objects: [
        ...accountObjects([{ uri: `coap://${HOST}:${SERVER_PORT}`, shortServerId: 1, lifetime: 300 }]),
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Interop Inc.' }) } },
        { id: 3303, instances: { 0: sensor } },
      ],
      // libcoap's coap-client, as another device on the network: plain CoAP, read-only.
      directAccess: [{ address: HOST, port: LIBCOAP_LOCAL_PORT, operations: ['read'] }],
    });
    cleanup.push(() => client.stop({ deregister: false }));
    void client.start().catch(() => {});
    await registered;
    return { server, client };
  }

  it('refuses an unknown peer with 4.01', async () => {
    await startDevice();
    const res = await libcoapClient(['-v', '6', '-A', '0', `coap://${HOST}:${CLIENT_PORT}/3303/0/5700`]);
    expect(res.stdout).toMatch(/t:ACK c:4\.01/);
    expect(res.stdout).not.toMatch(/c:2\.05/);
  });

  it('refuses a Write from the direct-access peer (its rule allows read only) with 4.01', async () => {
    await startDevice();
    const res = await libcoapClient([
      '-p',
      String(LIBCOAP_LOCAL_PORT),
      '-v',
      '6',
      '-m',
      'put',
      '-e',
      'Hacked',
      `coap://${HOST}:${CLIENT_PORT}/3/0/15`,
    ]);
    expect(res.stdout).toMatch(/t:ACK c:4\.01/);
  });

  it("reads and observes /3303/0/5700 from the direct-access rule's address; prints every notification", async () => {
    const { client } = await startDevice();
    const uri = `coap://${HOST}:${CLIENT_PORT}/3303/0/5700`;
    const read = await libcoapClient(['-p', String(LIBCOAP_LOCAL_PORT), '-v', '6', '-A', '0', uri]);
    expect(read.stdout).toMatch(/t:ACK c:2\.05 .*Content-Format:text\/plain.* :: '20(\.0)?'/);

    const values = [21.5, 22.25, 23, 24.75];
    const observing = libcoapClient(['-p', String(LIBCOAP_LOCAL_PORT), '-v', '6', '-A', '0', '-s', '5', uri], {
      breakAfterS: 8,
    });
    // Wait until the client holds the observation, then change the value.
    for (let i = 0; i < 200 && client.observationsList().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(client.observationsList()).toEqual([
      { server: `peer:${HOST}|${LIBCOAP_LOCAL_PORT}`, coapPath: '/3303/0/5700' },
    ]);
    for (const v of values) {
      await client.setValue('/3303/0/5700', v);
      await new Promise((r) => setTimeout(r, 150));
    }
    const out = (await observing).stdout;
    const payloads = [...out.matchAll(/c:2\.05 i:[0-9a-f]+ \{[0-9a-f]*\} \[[^\]]*Observe:(\d+)[^\]]*\] :: '([^']*)'/g)];
    expect(
      payloads.map((m) => Number(m[2])),
      out,
    ).toEqual([20, ...values]);
    const seq = payloads.map((m) => Number(m[1]));
    for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeGreaterThan(seq[i - 1]!);
  });
});
