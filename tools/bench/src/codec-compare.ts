/**
 * Codec throughput: decode + encode of typical LwM2M requests with @lwm2m-ts/codec and with the
 * `coap-packet` baseline, same bytes, same process, alternating runs, best of N.
 */
import { performance } from 'node:perf_hooks';
import {
  CoapCode,
  createMessage,
  decodeUdp,
  encodeUdp,
  encodeUint,
  encodeUtf8,
  MessageType,
  OptionNumber,
} from '@lwm2m-ts/codec';
import { generate, parse } from 'coap-packet';

const path = (p: string) =>
  p
    .split('/')
    .filter(Boolean)
    .map((s) => ({ number: OptionNumber.URI_PATH, value: encodeUtf8(s) }));
const query = (q: string[]) => q.map((s) => ({ number: OptionNumber.URI_QUERY, value: encodeUtf8(s) }));
const token = Uint8Array.of(0x8a, 0x11, 0x5e, 0x02, 0x90, 0x3c, 0x71, 0x04);

/** A Register (POST /rd with queries and a link-format payload) and a Read (GET /3303/0/5700, Accept SenML CBOR). */
export const TYPICAL_REQUESTS: Record<string, Uint8Array> = {
  register: encodeUdp(
    createMessage({
      type: MessageType.CON,
      code: CoapCode.POST,
      messageId: 0x1234,
      token,
      options: [
        ...path('/rd'),
        { number: OptionNumber.CONTENT_FORMAT, value: encodeUint(40) },
        ...query(['ep=urn:dev:ops:32473-IoTDevice-12345', 'lt=300', 'lwm2m=1.1', 'b=U']),
      ],
      payload: encodeUtf8('</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</3303/0>,</3303/1>,</3442/0>'),
    }),
  ),
  read: encodeUdp(
    createMessage({
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 0x4321,
      token,
      options: [...path('/3303/0/5700'), { number: OptionNumber.ACCEPT, value: encodeUint(112) }],
    }),
  ),
};

export interface CodecCompareResult {
  readonly request: string;
  readonly oursOpsPerSec: number;
  readonly coapPacketOpsPerSec: number;
  readonly ratio: number;
}

function opsPerSecond(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export function compareCodecs(roundMs = 300, rounds = 5): CodecCompareResult[] {
  const results: CodecCompareResult[] = [];
  for (const [name, bytes] of Object.entries(TYPICAL_REQUESTS)) {
    const buf = Buffer.from(bytes);
    let sink = 0;
    const ours = () => {
      sink += encodeUdp(decodeUdp(bytes)).length;
    };
    const theirs = () => {
      sink += generate(parse(buf)).length;
    };
    if (encodeUdp(decodeUdp(bytes)).length !== bytes.length || generate(parse(buf)).length !== bytes.length) {
      throw new Error(`codec comparison: ${name} does not round-trip to the same length`);
    }
    let best = [0, 0];
    for (let r = 0; r < rounds; r++) {
      best = [Math.max(best[0]!, opsPerSecond(ours, roundMs)), Math.max(best[1]!, opsPerSecond(theirs, roundMs))];
    }
    if (sink < 0) console.log(sink);
    results.push({ request: name, oursOpsPerSec: best[0]!, coapPacketOpsPerSec: best[1]!, ratio: best[0]! / best[1]! });
  }
  return results;
}
