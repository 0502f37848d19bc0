/**
 * Server CPU per request, plain CoAP vs OSCORE, in one process and without sockets: the server
 * Endpoint (same router and body as transport-server) gets pre-built request frames through an
 * in-memory transport and its responses are counted, so the figure is the engine's own cost
 * (no generator, no kernel), measured with process.cpuUsage over the server's work only.
 *
 *   node dist/oscore-overhead.js [requests=20000] [rounds=5] [clients=64]
 *
 * Prints µs/request per round for both and the median ratio. Add --cpu-prof to node for a profile.
 */
import { Endpoint, type MessageLayer, type Peer, Router, type Transport } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, createMessage, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { createOscoreLayer, protectRequest, SecurityContextRegistry } from '@lwm2m-ts/oscore';
import { BENCH_PAYLOAD } from '../servers/payload';
import { clientOscoreContext, serverOscoreContext } from './bench-security';

const requests = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);
const clients = Number(process.argv[4] ?? 64);
const body = new TextEncoder().encode(BENCH_PAYLOAD);

interface Harness {
  readonly deliver: (frame: Uint8Array, peer: Peer) => void;
  readonly answered: () => number;
  readonly close: () => Promise<void>;
}

function startServer(layers: MessageLayer[]): Harness {
  let handler: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  let answers = 0;
  const transport: Transport = {
    reliable: false,
    framing: 'datagram',
    scheme: 'coap',
    send: async () => {
      answers++;
    },
    onReceive: (h) => {
      handler = h;
    },
    localAddress: () => ({ address: '127.0.0.1', port: 5683 }),
    close: async () => undefined,
  };
  const endpoint = new Endpoint({
    transport,
    router: new Router().get('/', () => ({ payload: body, contentFormat: ContentFormat.TEXT_PLAIN })),
    layers,
  });
  return {
    deliver: (frame, peer) => handler!(frame, peer),
    answered: () => answers,
    close: () => endpoint.close(),
  };
}

const peers: Peer[] = Array.from({ length: clients }, (_, i) => ({
  address: '127.0.0.1',
  port: 40000 + i,
  key: `127.0.0.1|${40000 + i}`,
}));

/** CON GET / frames, round-robin over the clients; protected with each client's context when given. */
function buildFrames(round: number, oscore: boolean, clientContexts: ReturnType<typeof clientOscoreContext>[]) {
  const frames: { frame: Uint8Array; peer: Peer }[] = [];
  for (let n = 0; n < requests; n++) {
    const c = n % clients;
    const messageId = (round * requests + n) & 0xffff;
    const request = createMessage({
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId,
      token: Uint8Array.of(round, n >>> 16, (n >>> 8) & 0xff, n & 0xff),
      options: [],
    });
    const message = oscore ? protectRequest(clientContexts[c]!, request).message : request;
    frames.push({ frame: encodeUdp(message), peer: peers[c]! });
  }
  return frames;
}

async function measure(h: Harness, frames: { frame: Uint8Array; peer: Peer }[]): Promise<number> {
  const before = h.answered();
  const start = process.cpuUsage();
  // Bounded batches so the work resembles a server under steady load (not one huge burst).
  for (let i = 0; i < frames.length; i += 256) {
    for (let j = i; j < Math.min(i + 256, frames.length); j++) h.deliver(frames[j]!.frame, frames[j]!.peer);
    const target = before + Math.min(i + 256, frames.length);
    for (let spins = 0; h.answered() < target && spins < 10_000; spins++) await new Promise((r) => setImmediate(r));
  }
  const used = process.cpuUsage(start);
  const done = h.answered() - before;
  if (done !== frames.length) throw new Error(`only ${done} of ${frames.length} requests answered`);
  return (used.user + used.system) / frames.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const plain = startServer([]);
const secured = startServer([
  createOscoreLayer({
    contexts: new SecurityContextRegistry(Array.from({ length: clients }, (_, i) => serverOscoreContext(i))),
  }),
]);
const clientContexts = Array.from({ length: clients }, (_, i) => clientOscoreContext(i));
const plainUs: number[] = [];
const oscoreUs: number[] = [];
// Every frame is built first, so a CPU profile of this process shows the server's work.
// (Not for PAIR_ONLY: hundreds of thousands of retained frames would slow its garbage collection.)
const frameRounds = process.env.PAIR_ONLY ? 0 : rounds + 1;
const plainFrames = Array.from({ length: frameRounds }, (_, round) => buildFrames(round, false, clientContexts));
const oscoreFrames = Array.from({ length: frameRounds }, (_, round) => buildFrames(round, true, clientContexts));
// Round 0 warms up (JIT) and is not reported.
for (let round = 0; round <= (process.env.PAIR_ONLY ? -1 : rounds); round++) {
  // OSCORE_ONLY=1: skip the plain server (a CPU profile then shows the OSCORE server alone).
  const p = process.env.OSCORE_ONLY ? 1 : await measure(plain, plainFrames[round]!);
  const o = await measure(secured, oscoreFrames[round]!);
  if (round === 0) continue;
  plainUs.push(p);
  oscoreUs.push(o);
  console.log(
    `round ${round}: plain ${p.toFixed(2)} µs/req, OSCORE ${o.toFixed(2)} µs/req, ratio ${(p / o).toFixed(2)}`,
  );
}
const p = median(plainUs);
const o = median(oscoreUs);
if (!process.env.PAIR_ONLY)
  console.log(
    `median: plain ${p.toFixed(2)} µs/req, OSCORE ${o.toFixed(2)} µs/req, OSCORE adds ${(o - p).toFixed(2)} µs; ` +
      `plain/OSCORE ${(p / o).toFixed(2)} (target >= 0.70)`,
  );
await plain.close();
await secured.close();

// --- Both ends: client Endpoints (as the load generator runs them) and the server, linked in memory.

function linkedPair(): { client: Transport; server: Transport } {
  const handlers: { client?: (f: Uint8Array, p: Peer) => void; server?: (f: Uint8Array, p: Peer) => void } = {};
  const clientPeer: Peer = { address: '127.0.0.1', port: 40000, key: '127.0.0.1|40000' };
  const serverPeer: Peer = { address: '127.0.0.1', port: 5683, key: '127.0.0.1|5683' };
  const make = (self: 'client' | 'server', other: 'client' | 'server', from: Peer, port: number): Transport => ({
    reliable: false,
    framing: 'datagram',
    scheme: 'coap',
    send: async (_peer, frame) => {
      const copy = frame.slice();
      setImmediate(() => handlers[other]?.(copy, from));
    },
    onReceive: (h) => {
      handlers[self] = h;
    },
    localAddress: () => ({ address: '127.0.0.1', port }),
    close: async () => undefined,
  });
  return { client: make('client', 'server', clientPeer, 40000), server: make('server', 'client', serverPeer, 5683) };
}

/** CPU µs per request of client + server together, `inflight` GETs outstanding. */
async function measurePair(oscore: boolean, count: number, inflight: number): Promise<number> {
  const link = linkedPair();
  const server = new Endpoint({
    transport: link.server,
    router: new Router().get('/', () => ({ payload: body, contentFormat: ContentFormat.TEXT_PLAIN })),
    layers: oscore ? [createOscoreLayer({ contexts: serverOscoreContext(0) })] : [],
  });
  const client = new Endpoint({
    transport: link.client,
    layers: oscore ? [createOscoreLayer({ contexts: clientOscoreContext(0) })] : [],
    transmission: { nstart: inflight },
  });
  const serverPeer: Peer = { address: '127.0.0.1', port: 5683, key: '127.0.0.1|5683' };
  let left = count;
  const start = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (left-- > 0) {
        const res = await client.request({ method: 'GET', peer: serverPeer, path: '/', timeoutMs: 5_000 });
        if (res.code >> 5 !== 2) throw new Error(`answer ${res.code}`);
      }
    }),
  );
  const used = process.cpuUsage(start);
  await client.close();
  await server.close();
  return (used.user + used.system) / count;
}

if (process.env.PAIR || process.env.PAIR_ONLY) {
  const pairPlain: number[] = [];
  const pairOscore: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const pp = process.env.OSCORE_ONLY ? 1 : await measurePair(false, requests, 8);
    const po = await measurePair(true, requests, 8);
    if (round === 0) continue;
    pairPlain.push(pp);
    pairOscore.push(po);
  }
  const pp = median(pairPlain);
  const po = median(pairOscore);
  console.log(
    `pair (client + server): plain ${pp.toFixed(2)} µs/req, OSCORE ${po.toFixed(2)} µs/req, plain/OSCORE ${(pp / po).toFixed(2)}`,
  );
}
