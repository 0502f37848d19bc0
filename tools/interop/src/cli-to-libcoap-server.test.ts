/**
 * Our `coap` CLI against libcoap's coap-server-notls (a peer no one here wrote). Every
 * assertion is on what the CLI printed, i.e. what libcoap answered, or on what libcoap's own
 * client reads back from its server afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveLibcoap, LIBCOAP_SERVER, libcoapClient, startLibcoapServer } from './libcoap';
import { coap } from './our-cli';
import type { Background } from './peers';
import { peerAvailable } from './peers';

const PORT = 25683;
const PORT6 = 25693;
const base = `coap://127.0.0.1:${PORT}`;
const enabled = peerAvailable(`libcoap (${LIBCOAP_SERVER})`, haveLibcoap(), 'apt-get install libcoap3-bin');

describe.runIf(enabled)('our CLI -> libcoap coap-server-notls', () => {
  let v4: Background | undefined;
  let v6: Background | undefined;
  beforeAll(async () => {
    v4 = await startLibcoapServer('127.0.0.1', PORT);
    v6 = await startLibcoapServer('::1', PORT6);
  });
  afterAll(async () => {
    await Promise.all([v4?.stop(), v6?.stop()]);
  });

  it("GET / returns libcoap's index text", async () => {
    const r = await coap(['get', `${base}/`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('This is a test server made with libcoap');
  });

  it('discovers resources, and filters with ?rt=', async () => {
    const all = await coap(['discover', base]);
    expect(all.code).toBe(0);
    for (const href of ['</time>', '</async>', '</example_data>']) expect(all.out).toContain(href);
    const ticks = await coap(['discover', '--json', `${base}/?rt=ticks`]);
    const links = (JSON.parse(ticks.out) as { payload: { href: string }[] }).payload.map((l) => l.href);
    expect(links).toEqual(['/time']);
  });

  it('observes /time for at least 5 notifications', async () => {
    const r = await coap(['observe', '--count', '6', '--json', '--timeout', '10', `${base}/time`]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { code: string; observe?: number; payload: string });
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.code === '2.05' && l.observe !== undefined)).toBe(true);
    expect(new Set(lines.map((l) => l.payload)).size).toBeGreaterThanOrEqual(5);
  }, 20_000);

  it('uploads 10 KiB with Block1 + Request-Tag, then reads it back with Block2 at 64-byte blocks', async () => {
    const body = Array.from({ length: 10 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const put = await coap(['put', '-b', '256', '-v', '-t', 'text', '--file', '-', `${base}/example_data`], {
      stdin: body,
    });
    expect(put.code).toBe(0);
    const sent = put.err.split('\n').filter((l) => l.startsWith('->') && l.includes('Block1:'));
    expect(sent.length).toBe(40);
    expect(sent.every((l) => /Option292:0x[0-9a-f]+|Request-Tag:/.test(l))).toBe(true);
    const get = await coap(['get', '-b', '64', '-v', `${base}/example_data`]);
    expect(get.code).toBe(0);
    expect(get.out).toBe(body);
    expect(get.err.split('\n').filter((l) => l.startsWith('<-') && /Block2:\d+\/[01]\/64/.test(l)).length).toBe(160);
    // And libcoap's own client reads the same bytes from its server.
    const theirs = await libcoapClient([`${base}/example_data`]);
    expect(theirs.stdout.replace(/\n$/, '')).toBe(body); // coap-client ends its output with a newline
  });

  it('FETCH /time is answered with the time', async () => {
    const r = await coap(['fetch', '-t', 'text', `${base}/time`, 'x']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d$/);
  });

  it('iPATCH reaches libcoap (4.3.1 has no iPATCH handler: 4.05, exit 1)', async () => {
    const r = await coap(['ipatch', '-v', '-t', 'text', `${base}/example_data`, 'x']);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:25683 CON iPATCH .*Uri-Path:example_data/);
    expect(r.err).toMatch(/<- 127\.0\.0\.1:25683 ACK 4\.05/);
    expect(r.code).toBe(1);
    expect(r.err).toContain('coap: 4.05 Method Not Allowed');
  });

  it('NON GET gets a NON response', async () => {
    const r = await coap(['get', '--non', '-v', `${base}/time`]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:25683 NON GET/);
    expect(r.err).toMatch(/<- 127\.0\.0\.1:25683 NON 2\.05/);
  });

  it('works over IPv6 (::1)', async () => {
    const r = await coap(['get', `coap://[::1]:${PORT6}/`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('libcoap');
    const d = await coap(['discover', `coap://[::1]:${PORT6}/?rt=ticks`]);
    expect(d.out).toMatch(/^<\/time>/);
  });
});
