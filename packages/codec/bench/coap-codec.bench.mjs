// Micro-benchmark: our CoAP UDP codec vs npm coap-packet on typical LwM2M requests.
// Run: pnpm --filter @lwm2m-ts/codec bench   (builds dist first)
import { performance } from 'node:perf_hooks';
import * as packet from 'coap-packet';
import {
  CoapCode,
  ContentFormat,
  createMessage,
  createOption,
  decodeUdp,
  encodeUdp,
  OptionNumber,
} from '../dist/index.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);
const text = (s) => new TextEncoder().encode(s);

const linkBody = text('</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</3303/0>,</3303/1>');
const register = encodeUdp(
  createMessage({
    code: CoapCode.POST,
    messageId: 0x1234,
    token: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    options: [
      createOption(OptionNumber.URI_PATH, 'rd'),
      createOption(OptionNumber.CONTENT_FORMAT, ContentFormat.LINK_FORMAT),
      createOption(OptionNumber.URI_QUERY, 'ep=urn:imei:123456789012345'),
      createOption(OptionNumber.URI_QUERY, 'lt=300'),
      createOption(OptionNumber.URI_QUERY, 'lwm2m=1.1'),
      createOption(OptionNumber.URI_QUERY, 'b=U'),
    ],
    payload: linkBody,
  }),
);
const read = encodeUdp(
  createMessage({
    code: CoapCode.GET,
    messageId: 0x4321,
    token: Uint8Array.of(0xca, 0xfe, 0xba, 0xbe),
    options: [
      createOption(OptionNumber.URI_PATH, '3'),
      createOption(OptionNumber.URI_PATH, '0'),
      createOption(OptionNumber.URI_PATH, '1'),
      createOption(OptionNumber.ACCEPT, ContentFormat.LWM2M_TLV),
    ],
  }),
);

function measure(fn) {
  const warmEnd = performance.now() + DURATION_MS / 4;
  while (performance.now() < warmEnd) for (let i = 0; i < 1000; i++) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

let sink = 0;
const ours = (bytes) => () => {
  sink += encodeUdp(decodeUdp(bytes)).length;
};
const theirs = (buf) => () => {
  sink += packet.generate(packet.parse(buf)).length;
};

const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(12);
const results = [];
for (const [label, bytes] of [
  ['register CON POST /rd?ep&lt&lwm2m&b + link body', register],
  ['read GET /3/0/1 + token + Accept', read],
]) {
  // coap-packet must agree on the bytes (it keeps option order and encodes identically).
  const check = packet.generate(packet.parse(Buffer.from(bytes)));
  if (Buffer.compare(check, Buffer.from(bytes)) !== 0)
    console.warn(`note: coap-packet re-encodes ${label} differently`);
  const a = measure(ours(bytes));
  const b = measure(theirs(Buffer.from(bytes)));
  results.push(a / b);
  console.log(`${label} (${bytes.length} bytes), decode+encode`);
  console.log(`  @lwm2m-ts/codec ${fmt(a)} ops/s`);
  console.log(`  coap-packet     ${fmt(b)} ops/s`);
  console.log(`  ratio           ${(a / b).toFixed(2)}x`);
}
console.log(`min ratio ${Math.min(...results).toFixed(2)}x (target >= 3x)`);
if (sink === 0) throw new Error('benchmark did no work');
