#!/usr/bin/env node
// Encode + decode throughput and payload sizes of the LwM2M content formats.
// Runs against the built package: `pnpm turbo run build --filter=@lwm2m-ts/objects` first,
// then `pnpm --filter @lwm2m-ts/objects bench` (or `node packages/objects/bench/formats.bench.mjs`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error(`missing ${dist}: run \`pnpm turbo run build --filter=@lwm2m-ts/objects\` first`);
  process.exit(1);
}
const { LwM2mPath, LwM2mValue, ObjectInstance, Resource, createDefaultRegistry, createNodeCodecRegistry, nodesEqual } =
  await import(dist);

const codecs = createNodeCodecRegistry();
const lookup = createDefaultRegistry().lookup();
const FORMATS = [
  ['TLV', 11542],
  ['SenML JSON', 110],
  ['SenML CBOR', 112],
  ['LwM2M CBOR', 11544],
];
const durationMs = Number(process.env.BENCH_MS ?? 700);

// The seed's Device object /3/0 (seeds/ipso-lwm2m-slides.txt, "IPSO Serialization Formats"), decoded
// from its SenML JSON in @lwm2m-ts/codec/testing (the objects tests check it decodes to DEVICE_INSTANCE).
const { DEVICE_SENML_JSON } = await import('@lwm2m-ts/codec/testing');
const device = codecs.decode(110, new TextEncoder().encode(DEVICE_SENML_JSON), LwM2mPath.parse('/3/0'), lookup);

// 100 resources: 25 IPSO temperature sensors /3303/i with value (float), units, min and max.
const sensors = [];
const composite = new Map();
for (let i = 0; i < 25; i++) {
  const resources = [
    Resource.single(5700, LwM2mValue.float(20 + i * 0.37)),
    Resource.single(5701, LwM2mValue.string('Cel')),
    Resource.single(5601, LwM2mValue.float(-10.5)),
    Resource.single(5602, LwM2mValue.float(45.25 + i)),
  ];
  sensors.push(ObjectInstance.of(i, resources));
  for (const r of resources) composite.set(`/3303/${i}/${r.id}`, r);
}
const sensorObject = { kind: 'object', id: 3303, instances: new Map(sensors.map((s) => [s.id, s])) };

// The machine is shared, so each measurement is many short slices taken round-robin across
// every task, and the best slice counts: interference only ever slows a slice down.
const SLICE_MS = 40;
const rounds = Math.max(3, Math.round(durationMs / SLICE_MS));
const tasks = [];

function slice(fn) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(SLICE_MS) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    ops += 20;
    now = process.hrtime.bigint();
  }
  return (ops * 1e9) / Number(now - start);
}

const rows = [];
function run(caseName, name, encode, decode, check) {
  const bytes = encode();
  if (!check(decode(bytes))) throw new Error(`${name} does not round-trip ${caseName}`);
  const row = { case: caseName, format: name, bytes: bytes.length, encode: 0, decode: 0, roundTrip: 0 };
  rows.push(row);
  tasks.push([row, 'encode', encode], [row, 'decode', () => decode(bytes)], [row, 'roundTrip', () => decode(encode())]);
}

function measureAll() {
  for (const [, , fn] of tasks) for (let i = 0; i < 300; i++) fn(); // warm up
  for (let r = 0; r < rounds; r++) {
    for (const [row, key, fn] of tasks) row[key] = Math.max(row[key], slice(fn));
  }
}

const devicePath = LwM2mPath.parse('/3/0');
const objectPath = LwM2mPath.parse('/3303');
for (const [name, format] of FORMATS) {
  run(
    'Device /3/0',
    name,
    () => codecs.encode(format, device, devicePath),
    (b) => codecs.decode(format, b, devicePath, lookup),
    (n) => nodesEqual(n, device),
  );
}
const objectNode = codecs.decode(11544, codecs.encode(11544, sensorObject, objectPath), objectPath, lookup);
for (const [name, format] of FORMATS) {
  run(
    '100 resources, /3303 read',
    name,
    () => codecs.encode(format, objectNode, objectPath),
    (b) => codecs.decode(format, b, objectPath, lookup),
    (n) => nodesEqual(n, objectNode),
  );
}
for (const [name, format] of FORMATS.filter(([, f]) => codecs.get(f).composite)) {
  run(
    '100 resources, composite',
    name,
    () => codecs.encodeComposite(format, composite),
    (b) => codecs.decodeComposite(format, b, lookup),
    (m) => m.size === composite.size && [...composite].every(([p, n]) => nodesEqual(m.get(p), n)),
  );
}

// The same Device records through the codec alone (no node tree): what the wire syntax costs.
const codec = await import('@lwm2m-ts/codec');
const deviceRecords = codec.decodeSenmlJson(codecs.encode(110, device, devicePath));
run(
  'Device records (codec)',
  'SenML JSON',
  () => codec.encodeSenmlJson(deviceRecords),
  (b) => codec.decodeSenmlJson(b),
  (r) => r.length === deviceRecords.length,
);
run(
  'Device records (codec)',
  'SenML CBOR',
  () => codec.encodeSenmlCbor(deviceRecords),
  (b) => codec.decodeSenmlCbor(b),
  (r) => r.length === deviceRecords.length,
);

measureAll();
const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(`node ${process.version}, best of ${rounds} slices of ${SLICE_MS} ms per measurement\n`);
console.log(
  `${'case'.padEnd(27)} ${'format'.padEnd(11)} ${'bytes'.padStart(6)} ${'encode/s'.padStart(10)} ${'decode/s'.padStart(10)} ${'enc+dec/s'.padStart(10)}`,
);
for (const r of rows) {
  console.log(
    `${r.case.padEnd(27)} ${r.format.padEnd(11)} ${String(r.bytes).padStart(6)} ${fmt(r.encode)} ${fmt(r.decode)} ${fmt(r.roundTrip)}`,
  );
}
console.log('');
for (const c of [...new Set(rows.map((r) => r.case))]) {
  const json = rows.find((r) => r.case === c && r.format === 'SenML JSON');
  const cbor = rows.find((r) => r.case === c && r.format === 'SenML CBOR');
  if (!json || !cbor) continue;
  console.log(
    `${c}: SenML CBOR vs JSON — size ${cbor.bytes}/${json.bytes} B (${((100 * cbor.bytes) / json.bytes).toFixed(0)} %), ` +
      `encode x${(cbor.encode / json.encode).toFixed(2)}, decode x${(cbor.decode / json.decode).toFixed(2)}, ` +
      `enc+dec x${(cbor.roundTrip / json.roundTrip).toFixed(2)}`,
  );
}
