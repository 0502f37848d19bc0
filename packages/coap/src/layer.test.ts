import { CoapCode, type CoapMessage } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../test/helpers';
import { CoapError } from './errors/coap-error';
import type { LayerContext, MessageLayer } from './layer';

/** A toy "protection" layer: XORs payloads, tags identity, and checks per-exchange state. */
function xorLayer(log: string[]): MessageLayer {
  const key = Symbol('xor');
  const xor = (m: CoapMessage): CoapMessage => ({ ...m, payload: m.payload.map((b) => b ^ 0x5a) });
  return {
    name: 'xor',
    sendRequest: async (m, ctx) => {
      ctx.state.set(key, 'req-sent');
      log.push(`sendRequest ${ctx.role}`);
      return xor(m);
    },
    receiveResponse: (m, ctx) => {
      log.push(`receiveResponse ${ctx.state.get(key)}`);
      return xor(m);
    },
    receiveRequest: (m, ctx: LayerContext) => {
      if (m.payload.length > 0 && m.payload[0] === (0x21 ^ 0x5a))
        return { reject: CoapCode.UNAUTHORIZED, diagnostic: 'no' };
      ctx.peer = { ...ctx.peer, identity: { kind: 'psk', identity: 'via-layer' } };
      ctx.state.set(key, 'req-received');
      return xor(m);
    },
    sendResponse: (m, ctx) => {
      log.push(`sendResponse ${ctx.state.get(key)}`);
      return xor(m);
    },
  };
}

describe('MessageLayer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('transforms both directions per exchange and sets the handler peer identity', async () => {
    const log: string[] = [];
    const { server, client, serverPeer } = createPair({
      server: { layers: [xorLayer(log)] },
      client: { layers: [xorLayer(log)] },
    });
    server.router.post('/echo', (req) => ({
      payload: `${req.text()} from ${req.peer.identity?.kind === 'psk' ? req.peer.identity.identity : '?'}`,
    }));
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/echo', payload: 'hello' });
    expect(res.text()).toBe('hello from via-layer');
    expect(log).toEqual(['sendRequest client', 'sendResponse req-received', 'receiveResponse req-sent']);
  });

  it('a rejecting receive hook answers with its code and the handler never runs', async () => {
    let ran = false;
    const { server, client, serverPeer } = createPair({
      server: { layers: [xorLayer([])] },
      client: { layers: [xorLayer([])] },
    });
    server.router.post('/x', () => {
      ran = true;
      return {};
    });
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/x', payload: '!' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    expect(ran).toBe(false);
  });

  it('a rejected response fails the request with CoapError', async () => {
    const reject: MessageLayer = {
      name: 'r',
      receiveResponse: () => ({ reject: CoapCode.BAD_REQUEST, diagnostic: 'bad mac' }),
    };
    const { server, client, serverPeer } = createPair({ client: { layers: [reject] } });
    server.router.get('/x', () => ({}));
    const e = await client.request({ method: 'GET', peer: serverPeer, path: '/x' }).catch((x: unknown) => x);
    expect(CoapError.isInstance(e) && e.code === CoapCode.BAD_REQUEST).toBe(true);
  });
});
