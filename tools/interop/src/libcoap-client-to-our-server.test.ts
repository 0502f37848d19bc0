/**
 * libcoap's coap-client-notls against our `coap serve`. Assertions are on what coap-client
 * printed (its payload output, and its -v 7 PDU trace where the wire matters).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LARGE_BODY } from '@lwm2m-ts/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveLibcoap, LIBCOAP_CLIENT, libcoapClient } from './libcoap';
import { type OurServer, startOurServer } from './our-server';
import { peerAvailable } from './peers';

const PORT = 25690;
const PORT6 = 25691;
const base = `coap://127.0.0.1:${PORT}`;
const enabled = peerAvailable(`libcoap (${LIBCOAP_CLIENT})`, haveLibcoap(), 'apt-get install libcoap3-bin');
const pdus = (out: string) => out.split('\n').filter((l) => l.startsWith('v:1 '));

describe.runIf(enabled)('libcoap coap-client-notls -> our coap serve', () => {
  let v4: OurServer | undefined;
  let v6: OurServer | undefined;
  beforeAll(async () => {
    v4 = await startOurServer('127.0.0.1', PORT);
    v6 = await startOurServer('::1', PORT6);
  });
  afterAll(async () => {
    expect(await v4?.stop()).toBe(0);
    expect(await v6?.stop()).toBe(0);
  });

  it('GET /time', async () => {
    const r = await libcoapClient([`${base}/time`]);
    expect(r.stdout.trim()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('discovery, and filtering with ?rt=ticks', async () => {
    const all = await libcoapClient([`${base}/.well-known/core`]);
    for (const href of ['</time>', '</large>', '</upload>', '</store>']) expect(all.stdout).toContain(href);
    const ticks = await libcoapClient([`${base}/.well-known/core?rt=ticks`]);
    expect(ticks.stdout.trim()).toMatch(/^<\/time>;rt="ticks";if="clock";ct=0;obs;title="[^"]*"$/);
  });

  it('observe /time: at least 5 notifications', async () => {
    const r = await libcoapClient(['-s', '2', '-w', `${base}/time`], { breakAfterS: 4 });
    const times = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
    expect(times.length).toBeGreaterThanOrEqual(6);
    expect(new Set(times).size).toBeGreaterThanOrEqual(5);
  });

  it('Block2 at 64-byte blocks: /large arrives whole, 79 blocks', async () => {
    const r = await libcoapClient(['-b', '64', `${base}/large`]);
    expect(r.stdout.replace(/\n$/, '')).toBe(LARGE_BODY);
    const traced = await libcoapClient(['-b', '64', '-v', '7', `${base}/large`]);
    // coap-client's trace may print a PDU twice: count distinct block numbers.
    const blocks = new Set(
      pdus(traced.stdout + traced.stderr).flatMap((l) => /t:ACK c:2\.05 .*Block2:(\d+)\/[M_]\/64/.exec(l)?.[1] ?? []),
    );
    expect(blocks.size).toBe(79);
    expect(blocks.has('78')).toBe(true);
  });

  it('Block1 upload of 10 KiB (Request-Tag): the server counts every byte and returns them', async () => {
    const body = Array.from({ length: 10 * 1024 }, (_, i) => String.fromCharCode(65 + (i % 26))).join('');
    const file = join(mkdtempSync(join(tmpdir(), 'interop-')), 'big.txt');
    writeFileSync(file, body);
    const put = await libcoapClient(['-m', 'put', '-b', '256', '-f', file, '-v', '7', `${base}/upload`]);
    const out = put.stdout + put.stderr;
    expect(out).toContain('received 10240 bytes');
    const sent = pdus(out).filter((l) => /c:PUT .*Block1:\d+\/[M_]\/256/.test(l));
    expect(sent.length).toBeGreaterThanOrEqual(40);
    expect(sent.some((l) => l.includes('Request-Tag'))).toBe(true);
    const back = await libcoapClient([`${base}/upload`]);
    expect(back.stdout.replace(/\n$/, '')).toBe(body);
  });

  it('FETCH /store with a key list', async () => {
    const r = await libcoapClient(['-m', 'fetch', '-e', 'unit', `${base}/store`]);
    expect(JSON.parse(r.stdout)).toEqual({ unit: 'Cel' });
  });

  it('iPATCH /store with a merge patch', async () => {
    const p = await libcoapClient([
      '-m',
      'ipatch',
      '-t',
      '52',
      '-e',
      '{"name":"from-libcoap"}',
      '-v',
      '7',
      `${base}/store`,
    ]);
    expect(pdus(p.stdout + p.stderr).some((l) => /t:ACK c:2\.04/.test(l))).toBe(true);
    const g = await libcoapClient([`${base}/store`]);
    expect(JSON.parse(g.stdout)).toMatchObject({ name: 'from-libcoap' });
  });

  it('NON request gets a NON response', async () => {
    const r = await libcoapClient(['-N', '-v', '7', `${base}/time`]);
    expect(pdus(r.stdout + r.stderr).some((l) => /^v:1 t:NON c:2\.05 .*'\d{4}-\d\d-\d\dT/.test(l))).toBe(true);
  });

  it('IPv6 (::1)', async () => {
    const r = await libcoapClient([`coap://[::1]:${PORT6}/time`]);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
    const d = await libcoapClient([`coap://[::1]:${PORT6}/.well-known/core?rt=block`]);
    expect(d.stdout.trim()).toMatch(/^<\/large>;rt="block"/);
  });
});
