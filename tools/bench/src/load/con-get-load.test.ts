import { createSocket, type Socket } from 'node:dgram';
import { decodeUdp } from '@lwm2m-ts/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { requestTemplate, runLoad } from './con-get-load';
import { LatencyHistogram } from './histogram';

let responder: Socket | undefined;
afterEach(() => {
  responder?.close();
  responder = undefined;
});

/** A raw responder: piggybacked ACK with `code`, same message id and token; drops every `dropEvery`-th request. */
async function startResponder(code: number, dropEvery = 0): Promise<{ port: number; seen: () => number }> {
  const socket = createSocket('udp4');
  responder = socket;
  let seen = 0;
  socket.on('message', (msg, rinfo) => {
    seen += 1;
    if (dropEvery > 0 && seen % dropEvery === 0) return;
    const tkl = msg[0]! & 0x0f;
    const reply = Buffer.concat([
      Buffer.from([0x60 | tkl, code, msg[2]!, msg[3]!]),
      msg.subarray(4, 4 + tkl),
      Buffer.from([0xff, 0x6f, 0x6b]),
    ]);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, seen: () => seen };
}

const base = {
  host: '127.0.0.1',
  path: '/bench/x',
  sockets: 4,
  inflight: 4,
  warmupMs: 100,
  durationMs: 400,
  timeoutMs: 1000,
};

describe('CON GET load generator', () => {
  it('builds a CON GET with the path and a 4-byte token', () => {
    const m = decodeUdp(requestTemplate('/bench/x'));
    expect(m.type).toBe(0);
    expect(m.code).toBe(1);
    expect(m.token.length).toBe(4);
    expect(m.options.map((o) => Buffer.from(o.value).toString())).toEqual(['bench', 'x']);
  });

  it('keeps requests in flight and measures completions and latency', async () => {
    const { port, seen } = await startResponder(0x45);
    const phases: string[] = [];
    const r = await runLoad({ ...base, port }, (p) => phases.push(p));
    expect(phases).toEqual(['measure', 'done']);
    expect(r.completed).toBeGreaterThan(100);
    expect(r.errors).toBe(0);
    expect(r.timeouts).toBe(0);
    expect(seen()).toBeGreaterThanOrEqual(r.completed);
    const h = new LatencyHistogram();
    h.addSparse(r.histogram);
    expect(h.total).toBe(r.completed);
    expect(h.quantile(0.5)).toBeGreaterThan(0);
  });

  it('counts error responses and lost requests separately', async () => {
    const errors = await startResponder(0x84);
    const e = await runLoad({ ...base, port: errors.port });
    expect(e.completed).toBe(0);
    expect(e.errors).toBeGreaterThan(0);
    responder?.close();
    const lossy = await startResponder(0x45, 3);
    const l = await runLoad({ ...base, port: lossy.port, timeoutMs: 50 });
    expect(l.timeouts).toBeGreaterThan(0);
    expect(l.completed).toBeGreaterThan(0);
  });
});
