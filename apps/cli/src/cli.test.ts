import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './cli-io';
import { type DemoServer, LARGE_BODY, startDemoServer } from './demo-server';
import { runCli } from './program';
import { testIo } from './test-io';

let v4: DemoServer;
let v6: DemoServer;
let base: string;
beforeAll(async () => {
  v4 = await startDemoServer({ host: '127.0.0.1', port: 0, tickMs: 100 });
  v6 = await startDemoServer({ host: '::1', port: 0, tickMs: 100 });
  base = `coap://127.0.0.1:${v4.address.port}`;
});
afterAll(async () => {
  await Promise.all([v4?.close(), v6?.close()]);
});

async function cli(args: string[], stdin?: string) {
  const io = testIo(stdin);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), io };
}

describe('coap CLI against the demo server (in-process, loopback)', () => {
  it('GETs /time', async () => {
    const r = await cli(['get', `${base}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  });

  it('downloads /large block-wise with 64-byte blocks (-v shows every block)', async () => {
    const r = await cli(['get', '-b', '64', '-v', `${base}/large`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toBe(LARGE_BODY);
    const blocks = r.err.split('\n').filter((l) => l.startsWith('<-') && l.includes('Block2:'));
    expect(blocks.length).toBe(Math.ceil(LARGE_BODY.length / 64));
    expect(r.err).toContain('Block2:78/0/64');
  });

  it('uploads 10 KiB from stdin with Block1 and gets the byte count back', async () => {
    const body = 'x'.repeat(10 * 1024);
    const r = await cli(['put', '-b', '256', '--file', '-', '-t', 'text', `${base}/upload`], body);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toBe('received 10240 bytes');
    const back = await cli(['get', `${base}/upload`]);
    expect(back.out).toBe(body);
  });

  it('POSTs a payload given as an argument', async () => {
    const r = await cli(['post', `${base}/upload`, 'hello']);
    expect(r.out).toBe('received 5 bytes');
  });

  it('observes /time for 4 responses, each a new time', async () => {
    const r = await cli(['observe', '--count', '4', '--json', `${base}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { code: string; observe?: number; payload: string });
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.code === '2.05' && typeof l.observe === 'number')).toBe(true);
    expect(new Set(lines.map((l) => l.payload)).size).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(v4.endpoint.observerCount('/time')).toBe(0);
  });

  it('ends an observation on abort (Ctrl-C) with status 0', async () => {
    const io = testIo();
    const run = runCli(['observe', `${base}/time`], io);
    await new Promise((r) => setTimeout(r, 350));
    io.controller.abort();
    expect(await run).toBe(ExitCode.OK);
    expect(io.stdout.length).toBeGreaterThanOrEqual(2);
  });

  it('discovers resources, filtered by a query', async () => {
    const all = await cli(['discover', base]);
    expect(all.code).toBe(ExitCode.OK);
    for (const p of ['</time>', '</large>', '</upload>', '</store>']) expect(all.out).toContain(p);
    const filtered = await cli(['discover', `${base}/?rt=ticks`]);
    expect(filtered.out.split('\n')).toEqual([expect.stringMatching(/^<\/time>.*rt="ticks".*obs/)]);
  });

  it('FETCHes selected keys and iPATCHes with a merge patch', async () => {
    const f = await cli(['fetch', '-t', 'text', `${base}/store`, 'unit,name']);
    expect(f.code).toBe(ExitCode.OK);
    expect(JSON.parse(f.out)).toEqual({ unit: 'Cel', name: 'demo' });
    const p = await cli(['ipatch', '-t', 'application/merge-patch+json', `${base}/store`, '{"name":"patched"}']);
    expect(p.code).toBe(ExitCode.OK);
    const g = await cli(['get', '--json', `${base}/store`]);
    expect(JSON.parse(g.out)).toMatchObject({ code: '2.05', contentFormat: 50, payload: { name: 'patched' } });
  });

  it('sends NON requests when asked', async () => {
    const r = await cli(['get', '--non', '-v', `${base}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:\d+ NON GET/);
  });

  it('works over IPv6 loopback', async () => {
    const r = await cli(['get', `coap://[::1]:${v6.address.port}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-/);
  });

  it('exits 1 with the code on 4.xx', async () => {
    const r = await cli(['get', `${base}/nope`]);
    expect(r.code).toBe(ExitCode.ERROR_RESPONSE);
    expect(r.err).toContain('coap: 4.04 Not Found');
    const m = await cli(['delete', `${base}/time`]);
    expect(m.code).toBe(ExitCode.ERROR_RESPONSE);
    expect(m.err).toContain('4.05 Method Not Allowed');
  });

  it('exits 2 on a bad URI or option, 3 on timeout', async () => {
    const bad = await cli(['get', 'http://example.com/']);
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(bad.err).toMatch(/bad URI .*not a CoAP scheme/);
    const badCf = await cli(['put', '-t', 'nope/nope', `${base}/upload`, 'x']);
    expect(badCf.code).toBe(ExitCode.USAGE);
    expect(badCf.err).toMatch(/unknown content format/);
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const t = await cli(['get', '--timeout', '0.5', `coap://127.0.0.1:${silent.address().port}/x`]);
    silent.close();
    expect(t.code).toBe(ExitCode.TIMEOUT);
    expect(t.err).toMatch(/no response from .* within 0.5 s/);
  });

  it('serve reports a port in use clearly and exits 4', async () => {
    const r = await cli(['serve', '--host', '127.0.0.1', '--port', String(v4.address.port)]);
    expect(r.code).toBe(ExitCode.NETWORK);
    expect(r.err).toBe(
      `coap: cannot bind UDP 127.0.0.1:${v4.address.port}: address already in use (another process listens on this port; pick another --port or stop it)`,
    );
  });
});
