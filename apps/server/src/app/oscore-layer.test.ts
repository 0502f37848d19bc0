import { isLayerRejection, isLayerRetry, type LayerContext, type LayerOutcome, type Peer } from '@lwm2m-ts/coap';
import { CoapCode, type CoapMessage, createMessage, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { createSecurityContext, protectRequest, type SecurityContext } from '@lwm2m-ts/oscore';
import { InMemorySecurityStore, type SecurityInfo } from '@lwm2m-ts/server';
import { describe, expect, it, vi } from 'vitest';
import { createStoreOscoreLayer, type OscoreCredentialSource } from './oscore-layer';
import { IndexedSecurityStore } from './security-index';

const bytes = (...b: number[]) => Uint8Array.from(b);
const SERVER_ID = bytes(0x53);
const DEVICE_ID = bytes(0x0a, 0x01);
const SECRET = bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const OTHER_SECRET = bytes(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
const peer: Peer = { address: '127.0.0.1', port: 40000, key: '127.0.0.1|40000' };

const info = (masterSecret = SECRET): SecurityInfo => ({
  endpoint: 'dev',
  oscore: { recipientId: DEVICE_ID, senderId: SERVER_ID, masterSecret },
});
const device = (masterSecret = SECRET): SecurityContext =>
  createSecurityContext({ masterSecret, senderId: DEVICE_ID, recipientId: SERVER_ID });
const ctx = (): LayerContext => ({ peer, role: 'server', state: new Map() });
const get = (): CoapMessage =>
  createMessage({
    type: MessageType.CON,
    code: CoapCode.GET,
    messageId: 7,
    token: bytes(1, 2),
    options: [{ number: OptionNumber.URI_PATH, value: new TextEncoder().encode('rd') }],
  });
const code = (outcome: LayerOutcome): number => {
  if (isLayerRejection(outcome)) return outcome.reject;
  if (isLayerRetry(outcome)) throw new Error('a server layer never asks for a retry');
  return outcome.code;
};

describe('createStoreOscoreLayer', () => {
  it('passes plain requests, verifies protected ones with the context of their kid, and sets the identity', async () => {
    const store = await IndexedSecurityStore.wrap(new InMemorySecurityStore([info()]));
    const layer = createStoreOscoreLayer({ store });
    const plain = get();
    expect(layer.receiveRequest!(plain, ctx())).toBe(plain);
    const c = ctx();
    const out = await layer.receiveRequest!(protectRequest(device(), get()).message, c);
    expect(code(out)).toBe(CoapCode.GET);
    expect(c.peer.identity).toEqual({ kind: 'oscore', recipientId: DEVICE_ID });
    // The response is protected with the same context (a 2.04 outside, OSCORE option present).
    const response = createMessage({ type: MessageType.ACK, code: CoapCode.CONTENT, messageId: 7, token: bytes(1, 2) });
    const sent = await layer.sendResponse!(response, c);
    expect(sent.code).toBe(CoapCode.CHANGED);
    expect(sent.options.some((o) => o.number === OptionNumber.OSCORE)).toBe(true);
    expect(layer.contexts.size).toBe(1);
  });

  it('answers synchronously once the context is known', async () => {
    const store = await IndexedSecurityStore.wrap(new InMemorySecurityStore([info()]));
    const layer = createStoreOscoreLayer({ store });
    const d = device();
    await layer.receiveRequest!(protectRequest(d, get()).message, ctx());
    const second = layer.receiveRequest!(protectRequest(d, get()).message, ctx());
    expect(second).not.toBeInstanceOf(Promise);
    expect(code(second as LayerOutcome)).toBe(CoapCode.GET);
  });

  it('drops the context when the credentials change through the store, keeps it when they do not', async () => {
    const store = await IndexedSecurityStore.wrap(new InMemorySecurityStore([info()]));
    const layer = createStoreOscoreLayer({ store });
    await layer.receiveRequest!(protectRequest(device(), get()).message, ctx());
    const [first] = [...layer.contexts];
    await store.put(info());
    expect([...layer.contexts]).toEqual([first]);
    await store.put(info(OTHER_SECRET));
    expect(layer.contexts.size).toBe(0);
    // The old key no longer verifies; the new one does.
    expect(code(await layer.receiveRequest!(protectRequest(device(), get()).message, ctx()))).toBe(
      CoapCode.BAD_REQUEST,
    );
    expect(code(await layer.receiveRequest!(protectRequest(device(OTHER_SECRET), get()).message, ctx()))).toBe(
      CoapCode.GET,
    );
    await store.remove('dev');
    expect(layer.contexts.size).toBe(0);
    expect(code(await layer.receiveRequest!(protectRequest(device(OTHER_SECRET), get()).message, ctx()))).toBe(
      CoapCode.UNAUTHORIZED,
    );
  });

  it('looks an unknown kid up in the store at most once per interval, and follows changes made elsewhere', async () => {
    let now = 0;
    let held: SecurityInfo | undefined;
    const source: OscoreCredentialSource = { getByOscoreRecipientId: vi.fn(async () => held) };
    const layer = createStoreOscoreLayer({ store: source, now: () => now, refreshIntervalMs: 1000 });
    const unknown = () => layer.receiveRequest!(protectRequest(device(), get()).message, ctx());
    expect(code(await unknown())).toBe(CoapCode.UNAUTHORIZED);
    expect(code(await unknown())).toBe(CoapCode.UNAUTHORIZED);
    expect(source.getByOscoreRecipientId).toHaveBeenCalledTimes(1);
    // Another instance adds the credentials: found after the interval.
    held = info();
    now = 1500;
    expect(code(await unknown())).toBe(CoapCode.GET);
    expect(source.getByOscoreRecipientId).toHaveBeenCalledTimes(2);
    // ... and changes them: the stale context fails, the store is re-read, the request verifies.
    held = info(OTHER_SECRET);
    now = 3000;
    const fresh = await layer.receiveRequest!(protectRequest(device(OTHER_SECRET), get()).message, ctx());
    expect(code(fresh)).toBe(CoapCode.GET);
  });

  it('protects downlinks to an OSCORE identity, and refuses to send one in plaintext when its credentials are gone', async () => {
    const store = await IndexedSecurityStore.wrap(new InMemorySecurityStore([info()]));
    const layer = createStoreOscoreLayer({ store });
    const c = ctx();
    await layer.receiveRequest!(protectRequest(device(), get()).message, c);
    const downlink: LayerContext = { peer: c.peer, role: 'client', state: new Map() };
    const sent = await layer.sendRequest!(get(), downlink);
    expect(sent.code).toBe(CoapCode.POST);
    expect(sent.options.some((o) => o.number === OptionNumber.OSCORE)).toBe(true);
    // A device without OSCORE identity gets plain CoAP.
    const plain = get();
    expect(await layer.sendRequest!(plain, { peer, role: 'client', state: new Map() })).toBe(plain);
    await store.remove('dev');
    await expect(
      Promise.resolve().then(() => layer.sendRequest!(get(), { peer: c.peer, role: 'client', state: new Map() })),
    ).rejects.toThrow(/no OSCORE context/);
  });

  it('answers malformed OSCORE options with 4.02 and unknown kids with 4.01, without a store error', async () => {
    const source: OscoreCredentialSource = {
      getByOscoreRecipientId: async () => {
        throw new Error('store down');
      },
    };
    const layer = createStoreOscoreLayer({ store: source });
    const withOption = (value: Uint8Array) =>
      createMessage({
        type: MessageType.CON,
        code: CoapCode.POST,
        messageId: 1,
        token: bytes(1),
        options: [{ number: OptionNumber.OSCORE, value }],
        payload: bytes(1, 2, 3, 4, 5, 6, 7, 8, 9),
      });
    for (const bad of [bytes(0xe0), bytes(0x05, 1), bytes(0x19, 9)]) {
      expect(code(await layer.receiveRequest!(withOption(bad), ctx()))).toBe(CoapCode.BAD_OPTION);
    }
    expect(code(await layer.receiveRequest!(withOption(bytes(0x09, 0, 0x0e)), ctx()))).toBe(CoapCode.UNAUTHORIZED);
    // Two OSCORE options: a decode failure, not a crash.
    const twice = {
      ...withOption(bytes(0x09, 0, 1)),
      options: [...withOption(bytes(0x09, 0, 1)).options, ...withOption(bytes(0x09, 0, 1)).options],
    };
    expect(code(await layer.receiveRequest!(twice, ctx()))).toBe(CoapCode.BAD_OPTION);
  });
});
