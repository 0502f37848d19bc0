/**
 * node-coap (npm `coap` 1.5) as a raw CoAP client playing an LwM2M device against our
 * createLwM2mServer on UDP loopback (port 26520): Register, Update, De-register, with the
 * server's events and listRegistrations() checked after each step.
 */
import { type CoapLwM2mServer, createLwM2mServer, type Registration } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import coap from 'coap';
import { afterEach, describe, expect, it } from 'vitest';

const HOST = '127.0.0.1';
const PORT = 26520;

interface Answer {
  readonly code: string;
  readonly locationPath: string[];
  readonly payload: string;
}

/** One confirmable node-coap request from `agent`'s socket. */
function send(agent: coap.Agent, method: 'POST' | 'DELETE', pathname: string, query = '', payload?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = coap.request({ hostname: HOST, port: PORT, method, pathname, query, agent, confirmable: true });
    if (payload !== undefined) req.setOption('Content-Format', 'application/link-format');
    const timer = setTimeout(() => reject(new Error(`node-coap: no answer to ${method} ${pathname}`)), 8000);
    req.on('response', (res: coap.IncomingMessage) => {
      clearTimeout(timer);
      // Repeated options are only in the raw packet (headers keeps one value per name).
      const locationPath = (res._packet.options ?? [])
        .filter((o) => o.name === 'Location-Path')
        .map((o) => Buffer.from(o.value).toString());
      resolve({ code: res.code, locationPath, payload: res.payload.toString() });
    });
    req.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(payload);
  });
}

function nextEvent(server: CoapLwM2mServer, name: 'registered' | 'updated' | 'deregistered', endpoint: string) {
  return new Promise<Registration>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event for ${endpoint}`)), 8000);
    const off = server.events.on(name, (e: { registration: Registration }) => {
      if (e.registration.endpoint !== endpoint) return;
      clearTimeout(timer);
      off();
      resolve(e.registration);
    });
  });
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('node-coap client as an LwM2M device -> createLwM2mServer', () => {
  it('registers, updates and de-registers', async () => {
    const server = createLwM2mServer({ transport: await createUdpTransport({ host: HOST, port: PORT }) });
    const agent = new coap.Agent({ type: 'udp4' });
    close = async () => {
      agent.close();
      await server.close();
    };

    const registered = nextEvent(server, 'registered', 'node-coap-dev');
    const reg = await send(agent, 'POST', '/rd', 'ep=node-coap-dev&lt=60&lwm2m=1.1&b=U', '</1/0>,</3/0>,</3303/0>');
    expect(reg.code).toBe('2.01');
    expect(reg.locationPath).toHaveLength(2);
    expect(reg.locationPath[0]).toBe('rd');
    const id = reg.locationPath[1]!;
    const r = await registered;
    expect(r).toMatchObject({ id, endpoint: 'node-coap-dev', lifetime: 60, lwm2mVersion: '1.1', binding: 'U' });
    expect(r.objectLinks).toBe('</1/0>,</3/0>,</3303/0>');
    expect((await server.listRegistrations()).map((x) => x.id)).toEqual([id]);

    const updated = nextEvent(server, 'updated', 'node-coap-dev');
    const upd = await send(agent, 'POST', `/rd/${id}`, 'lt=90', '</1/0>,</3/0>,</3303/0>,</3303/1>');
    expect(upd.code).toBe('2.04');
    expect(await updated).toMatchObject({ id, lifetime: 90, objectLinks: '</1/0>,</3/0>,</3303/0>,</3303/1>' });
    expect((await server.getRegistration('node-coap-dev'))?.lifetime).toBe(90);

    // An Update without parameters or payload (a plain "I am still here").
    const ping = await send(agent, 'POST', `/rd/${id}`);
    expect(ping.code).toBe('2.04');

    const deregistered = nextEvent(server, 'deregistered', 'node-coap-dev');
    const del = await send(agent, 'DELETE', `/rd/${id}`);
    expect(del.code).toBe('2.02');
    expect((await deregistered).id).toBe(id);
    expect(await server.listRegistrations()).toEqual([]);

    // The registration is gone: a second De-register is 4.04.
    expect((await send(agent, 'DELETE', `/rd/${id}`)).code).toBe('4.04');
  });
});
