/**
 * Our CLI against our `coap serve` where no third-party peer exists on these machines: CoAP over
 * WebSockets (libcoap 4.3.1 has none) and OSCORE on UDP (likewise), through the same in-process
 * entry points a user's shell reaches. The OSCORE contexts are written here, as a user would.
 */
import { LARGE_BODY } from '@lwm2m-ts/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coap } from './our-cli';
import { type OurServer, startOurServer } from './our-server';
import { writeInteropPki, writeOscoreContexts } from './pki';

const UDP = 26430;
const WS = 26431;
const OSCORE_UDP = 26432;

describe('our CLI -> our coap serve over coap+ws', () => {
  let server: OurServer | undefined;
  beforeAll(async () => {
    server = await startOurServer('127.0.0.1', UDP, 100, ['--ws-port', String(WS)]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('GET, Block2 download, Block1 upload, observe and discovery', async () => {
    const base = `coap+ws://127.0.0.1:${WS}`;
    const get = await coap(['get', '-v', `${base}/time`]);
    expect(get.code).toBe(0);
    expect(get.out).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(get.err).toMatch(/-> 127\.0\.0\.1:26431 7\.01 CSM/);
    expect((await coap(['get', '-b', '128', `${base}/large`])).out).toBe(LARGE_BODY);
    const body = 'w'.repeat(3000);
    const put = await coap(['put', '-b', '512', '--file', '-', `${base}/upload`], { stdin: body });
    expect(put.out).toBe('received 3000 bytes');
    const obs = await coap(['observe', '--count', '3', `${base}/time`]);
    expect(obs.out.split('\n')).toHaveLength(3);
    const d = await coap(['discover', `${base}/?rt=block`]);
    expect(d.out).toMatch(/^<\/large>/);
  });
});

describe('our CLI -> our coap serve over OSCORE (UDP)', () => {
  let server: OurServer | undefined;
  let contexts: { client: string; server: string };
  beforeAll(async () => {
    contexts = writeOscoreContexts(writeInteropPki().dir);
    server = await startOurServer('127.0.0.1', OSCORE_UDP, 100, ['--oscore-context', contexts.server]);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('protected GET (wire shows only POST + OSCORE option), Block2, repeated runs, observe; plain GET gets 4.01', async () => {
    const base = `coap://127.0.0.1:${OSCORE_UDP}`;
    const ctx = ['--oscore-context', contexts.client];
    const get = await coap(['get', '-v', ...ctx, `${base}/time`]);
    expect(get.code).toBe(0);
    expect(get.out).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(get.err).not.toContain('Uri-Path:time');
    expect(get.err).toMatch(/-> 127\.0\.0\.1:26432 CON POST .*\[Oscore:0x[0-9a-f]+\]/);
    expect((await coap(['get', '-b', '256', ...ctx, `${base}/large`])).out).toBe(LARGE_BODY);
    for (let i = 0; i < 3; i++) expect((await coap(['get', ...ctx, `${base}/time`])).code).toBe(0);
    const obs = await coap(['observe', '--count', '3', ...ctx, `${base}/time`]);
    expect(obs.code).toBe(0);
    expect(obs.out.split('\n')).toHaveLength(3);
    const plain = await coap(['get', `${base}/time`]);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('4.01 Unauthorized');
  });
});
