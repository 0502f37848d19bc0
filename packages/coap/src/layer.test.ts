import { CoapCode, type CoapMessage, createMessage, getOption, OptionNumber } from '@lwm2m-ts/codec';
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

  it('a rejection carrying a complete message is sent as is, with the request token', async () => {
    const challenge: MessageLayer = {
      name: 'challenge',
      receiveRequest: () => ({
        reject: CoapCode.UNAUTHORIZED,
        message: createMessage({
          code: CoapCode.UNAUTHORIZED,
          token: Uint8Array.of(0xee), // replaced by the request's token
          options: [{ number: OptionNumber.ECHO, value: Uint8Array.of(1, 2, 3) }],
          payload: new TextEncoder().encode('prove it'),
        }),
      }),
    };
    const { server, client, serverPeer } = createPair({ server: { layers: [challenge] } });
    server.router.get('/x', () => ({}));
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/x' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    expect(getOption(res.message, OptionNumber.ECHO)).toEqual(Uint8Array.of(1, 2, 3));
    expect(res.text()).toBe('prove it');
  });

  it.each(['datagram', 'stream'] as const)(
    'a retry re-sends the request through that layer and those below, on the same token (%s)',
    async (kind) => {
      const log: string[] = [];
      const tokens: string[] = [];
      const top: MessageLayer = {
        name: 'top',
        sendRequest: (m) => {
          log.push('top send');
          return m;
        },
        receiveResponse: (m) => {
          log.push(`top receive ${m.code === CoapCode.CONTENT ? '2.05' : m.code}`);
          return m;
        },
      };
      const echo: MessageLayer = {
        name: 'echo',
        sendRequest: (m) => {
          log.push(`echo send ${getOption(m, OptionNumber.ECHO) ? 'with' : 'without'} Echo`);
          tokens.push(Buffer.from(m.token).toString('hex'));
          return m;
        },
        receiveResponse: (m, ctx) => {
          const value = getOption(m, OptionNumber.ECHO);
          if (m.code !== CoapCode.UNAUTHORIZED || !value || ctx.state.has('retried')) return m;
          ctx.state.set('retried', true);
          const request = ctx.state.get('request') as CoapMessage;
          return { retry: { ...request, options: [...request.options, { number: OptionNumber.ECHO, value }] } };
        },
      };
      const remember: MessageLayer = {
        name: 'remember',
        sendRequest: (m, ctx) => {
          if (!ctx.state.has('request')) ctx.state.set('request', m);
          return m;
        },
      };
      const { server, client, serverPeer } = createPair({ kind, client: { layers: [top, echo, remember] } });
      let calls = 0;
      server.router.get('/x', (req) => {
        calls++;
        if (!getOption(req.message, OptionNumber.ECHO))
          throw new CoapError(CoapCode.UNAUTHORIZED, 'echo', {
            options: [{ number: OptionNumber.ECHO, value: Uint8Array.of(9) }],
          });
        return { payload: 'fresh' };
      });
      const res = await client.request({ method: 'GET', peer: serverPeer, path: '/x' });
      expect(res.text()).toBe('fresh');
      expect(calls).toBe(2);
      expect(log).toEqual(['top send', 'echo send without Echo', 'echo send with Echo', 'top receive 2.05']);
      expect(new Set(tokens).size).toBe(1);
    },
  );

  it('runs synchronous and asynchronous hooks in order in one stack; a hook that throws answers 5.00 / fails the request', async () => {
    const log: string[] = [];
    const tag = (name: string, async: boolean): MessageLayer => {
      const step = (where: string) => (m: CoapMessage) => {
        log.push(`${name} ${where}`);
        if (m.payload.length > 0 && new TextDecoder().decode(m.payload) === `boom ${name} ${where}`) {
          throw new Error(`${name} failed`);
        }
        return async ? Promise.resolve(m) : m;
      };
      return {
        name,
        sendRequest: step('sendRequest'),
        receiveRequest: step('receiveRequest'),
        sendResponse: step('sendResponse'),
        receiveResponse: step('receiveResponse'),
      };
    };
    const layers = () => [tag('top', false), tag('mid', true), tag('low', false)];
    const errors: string[] = [];
    const { server, client, serverPeer } = createPair({
      server: { layers: layers(), onError: (e) => errors.push((e as Error).message) },
      client: { layers: layers() },
    });
    server.router.post('/x', (req) => ({ payload: req.payload }));
    const res = await client.request({ method: 'POST', peer: serverPeer, path: '/x', payload: 'ok' });
    expect(res.text()).toBe('ok');
    expect(log).toEqual([
      'top sendRequest',
      'mid sendRequest',
      'low sendRequest',
      'low receiveRequest',
      'mid receiveRequest',
      'top receiveRequest',
      'top sendResponse',
      'mid sendResponse',
      'low sendResponse',
      'low receiveResponse',
      'mid receiveResponse',
      'top receiveResponse',
    ]);
    // A synchronous hook throwing on the server: the engine answers 5.00 and reports it.
    const failed = await client.request({
      method: 'POST',
      peer: serverPeer,
      path: '/x',
      payload: 'boom low receiveRequest',
    });
    expect(failed.code).toBe(CoapCode.INTERNAL_SERVER_ERROR);
    expect(errors).toEqual(['low failed']);
    // ... and on the client: the request fails with that error.
    const e = await client
      .request({ method: 'POST', peer: serverPeer, path: '/x', payload: 'boom top sendRequest' })
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe('top failed');
  });
});
