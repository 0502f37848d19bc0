import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makePeer, type Transport } from '@lwm2m-ts/coap';
import { CoapCode, createMessage, createOption, encodeUdp, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { describeMessage, traceTransport } from './message-trace';
import { readPayload } from './payload-source';

describe('describeMessage', () => {
  it('renders a request and a block-wise response on one line each', () => {
    const req = createMessage({
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 4660,
      token: Uint8Array.of(0x0a, 0x0b),
      options: [createOption(OptionNumber.OBSERVE, 0), createOption(OptionNumber.URI_PATH, 'time')],
    });
    expect(describeMessage(req)).toBe('CON GET mid=4660 tok=0a0b [Observe:0, Uri-Path:time]');
    const res = createMessage({
      type: MessageType.ACK,
      code: CoapCode.CONTENT,
      messageId: 1,
      options: [createOption(OptionNumber.CONTENT_FORMAT, 0), createOption(OptionNumber.BLOCK2, 0x0e)],
      payload: new Uint8Array(1024),
    });
    expect(describeMessage(res)).toBe('ACK 2.05 mid=1 [Content-Format:0, Block2:0/1/1024] 1024 B');
  });
});

describe('traceTransport', () => {
  it('logs every frame in both directions and forwards it unchanged', async () => {
    let receive: ((frame: Uint8Array, peer: ReturnType<typeof makePeer>) => void) | undefined;
    const sent: Uint8Array[] = [];
    const inner: Transport = {
      reliable: false,
      framing: 'datagram',
      scheme: 'coap',
      send: async (_peer, frame) => {
        sent.push(frame);
      },
      onReceive: (h) => {
        receive = h;
      },
      localAddress: () => ({ address: '127.0.0.1', port: 1 }),
      close: async () => {},
    };
    const lines: string[] = [];
    const traced = traceTransport(inner, (l) => lines.push(l));
    const got: Uint8Array[] = [];
    traced.onReceive((f) => got.push(f));
    const frame = encodeUdp(createMessage({ type: MessageType.NON, code: CoapCode.GET, messageId: 7 }));
    await traced.send(makePeer('::1', 5683), frame);
    receive?.(Uint8Array.of(1, 2), makePeer('127.0.0.1', 5683));
    expect(sent).toEqual([frame]);
    expect(got).toEqual([Uint8Array.of(1, 2)]);
    expect(lines[0]).toBe('-> [::1]:5683 NON GET mid=7');
    expect(lines[1]).toMatch(/^<- 127\.0\.0\.1:5683 \(undecodable 2 B: /);
  });
});

describe('readPayload', () => {
  it('reads an argument, a file, or stdin with --file -', async () => {
    const stdin = new PassThrough();
    expect(new TextDecoder().decode(await readPayload('hi', undefined, stdin))).toBe('hi');
    const dir = mkdtempSync(join(tmpdir(), 'coap-cli-'));
    writeFileSync(join(dir, 'p.bin'), Uint8Array.of(1, 2, 3));
    expect([...((await readPayload(undefined, join(dir, 'p.bin'), stdin)) ?? [])]).toEqual([1, 2, 3]);
    stdin.end('from stdin');
    expect(new TextDecoder().decode(await readPayload(undefined, '-', stdin))).toBe('from stdin');
    expect(await readPayload(undefined, undefined, stdin)).toBeUndefined();
    await expect(readPayload('a', 'b', stdin)).rejects.toThrow(/not both/);
    await expect(readPayload(undefined, join(dir, 'missing'), stdin)).rejects.toThrow(/cannot read --file/);
  });
});
