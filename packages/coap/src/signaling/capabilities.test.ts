/** RFC 8323 §5.3: what a peer's CSM allows — Block options only to peers that announced Block-Wise-Transfer, nothing above its Max-Message-Size. */
import { CoapCode, getOption, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rawStream } from '../../test/reliable-helpers';
import { Endpoint } from '../endpoint';
import { CoapError } from '../errors/coap-error';
import { MemoryNetwork } from '../testing/index';

const path = (p: string) => [{ number: OptionNumber.URI_PATH, value: new TextEncoder().encode(p) }];
const body = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) & 0xff);

function serverWithRawClient(onError?: (e: unknown) => void) {
  const network = new MemoryNetwork();
  const serverT = network.transport('server', { kind: 'stream', port: 5683 });
  const server = new Endpoint({ transport: serverT, ...(onError ? { onError } : {}) });
  const raw = rawStream(network, 'raw');
  return { server, raw, to: raw.transport.peerOf(serverT) };
}

function clientWithRawServer() {
  const network = new MemoryNetwork();
  const client = new Endpoint({ transport: network.transport('client', { kind: 'stream' }) });
  const raw = rawStream(network, 'raw');
  return { client, raw, peer: raw.transport.selfPeer() };
}

describe('peer capabilities (RFC 8323 CSM)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('server: a peer without Block-Wise-Transfer gets the whole body when it fits its Max-Message-Size', async () => {
    const { server, raw, to } = serverWithRawClient();
    server.router.get('/big', () => ({ payload: body(3000) }));
    await raw.csm(to, 4096, false);
    await raw.send(to, { code: CoapCode.GET, token: Uint8Array.of(1), options: path('big') });
    await vi.advanceTimersByTimeAsync(0);
    const [res] = raw.messages();
    expect(res!.msg.code).toBe(CoapCode.CONTENT);
    expect(res!.msg.payload).toEqual(body(3000));
    expect(getOption(res!.msg, OptionNumber.BLOCK2)).toBeUndefined();
    expect(getOption(res!.msg, OptionNumber.SIZE2)).toBeUndefined();
  });

  it('server: a body too large for a peer without Block-Wise-Transfer is answered 5.00 with a diagnostic', async () => {
    const errors: unknown[] = [];
    const { server, raw, to } = serverWithRawClient((e) => errors.push(e));
    server.router.get('/big', () => ({ payload: body(3000) }));
    await raw.csm(to, 1152, false);
    await raw.send(to, { code: CoapCode.GET, token: Uint8Array.of(2), options: path('big') });
    await vi.advanceTimersByTimeAsync(0);
    const [res] = raw.messages();
    expect(res!.msg.code).toBe(CoapCode.INTERNAL_SERVER_ERROR);
    expect(res!.msg.token).toEqual(Uint8Array.of(2));
    expect(new TextDecoder().decode(res!.msg.payload)).toMatch(/Max-Message-Size of 1152.*Block-Wise-Transfer/);
    expect(getOption(res!.msg, OptionNumber.BLOCK2)).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('server: a peer with Block-Wise-Transfer but no BERT gets 1024-byte Block2 blocks', async () => {
    const { server, raw, to } = serverWithRawClient();
    server.router.get('/big', () => ({ payload: body(3000) }));
    await raw.csm(to, 1152, true);
    await raw.send(to, { code: CoapCode.GET, token: Uint8Array.of(3), options: path('big') });
    await vi.advanceTimersByTimeAsync(0);
    const [res] = raw.messages();
    expect(res!.msg.payload.length).toBe(1024);
    expect(getOption(res!.msg, OptionNumber.BLOCK2)).toEqual(Uint8Array.of(0x0e)); // num 0, M, SZX 6
  });

  it('client: sends the whole body to a peer without Block-Wise-Transfer', async () => {
    const { client, raw, peer } = clientWithRawServer();
    const from = raw.transport.peerOf(client.transport as never);
    await raw.csm(from, 8192, false);
    const p = client.request({ method: 'PUT', peer, path: '/fw', payload: body(5000), block2Size: 256 });
    await vi.advanceTimersByTimeAsync(0);
    const [put] = raw.messages();
    expect(put!.msg.code).toBe(CoapCode.PUT);
    expect(put!.msg.payload).toEqual(body(5000));
    expect(getOption(put!.msg, OptionNumber.BLOCK1)).toBeUndefined();
    expect(getOption(put!.msg, OptionNumber.BLOCK2)).toBeUndefined(); // block2Size is not negotiated either
    await raw.send(from, { code: CoapCode.CHANGED, token: put!.msg.token });
    expect((await p).codeText).toBe('2.04');
  });

  it('client: a body too large for a peer without Block-Wise-Transfer fails with CoapError 4.13, nothing sent', async () => {
    const { client, raw, peer } = clientWithRawServer();
    const from = raw.transport.peerOf(client.transport as never);
    await raw.csm(from, 2048, false);
    const error = await client
      .request({ method: 'PUT', peer, path: '/fw', payload: body(5000) })
      .catch((e: unknown) => e);
    expect(CoapError.isInstance(error)).toBe(true);
    expect((error as CoapError).code).toBe(CoapCode.REQUEST_ENTITY_TOO_LARGE);
    expect((error as CoapError).message).toMatch(/exceeds .*Max-Message-Size of 2048 and it did not announce/);
    expect(raw.messages()).toHaveLength(0);
  });

  it('client: waits for the peer CSM before deciding how to send a large body', async () => {
    const { client, raw, peer } = clientWithRawServer();
    const p = client.request({ method: 'PUT', peer, path: '/fw', payload: body(3000) });
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received.map((r) => r.msg.code)).toEqual([CoapCode.CSM]); // ours, then nothing
    const from = raw.received[0]!.from;
    await raw.csm(from, 1152, true); // block-wise, no BERT
    await vi.advanceTimersByTimeAsync(0);
    const [first] = raw.messages();
    expect(first!.msg.payload.length).toBe(1024);
    expect(getOption(first!.msg, OptionNumber.BLOCK1)).toEqual(Uint8Array.of(0x0e));
    await raw.send(from, { code: CoapCode.REQUEST_ENTITY_TOO_LARGE, token: first!.msg.token });
    expect((await p).codeText).toBe('4.13');
  });

  it('client: a small request does not wait for the CSM', async () => {
    const { client, raw, peer } = clientWithRawServer();
    void client.request({ method: 'GET', peer, path: '/x', timeoutMs: 1000 }).catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(raw.received.map((r) => r.msg.code)).toEqual([CoapCode.CSM, CoapCode.GET]);
    await vi.advanceTimersByTimeAsync(1000);
  });

  it('client: the request deadline bounds the wait for a CSM that never comes', async () => {
    const { client, peer } = clientWithRawServer();
    const p = client
      .request({ method: 'PUT', peer, path: '/fw', payload: body(3000), timeoutMs: 5000 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5000);
    expect((await p) as Error).toMatchObject({ name: 'CoapTimeoutError' });
  });
});
