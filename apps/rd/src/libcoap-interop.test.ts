/**
 * libcoap's coap-client-notls (a peer no one here wrote) against our RD over real UDP on
 * loopback. coap-client exits 0 even on failure, so every check reads what it printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, peerAvailable, run } from '../test/processes';
import { type RdServer, startRdServer } from './rd-server';

const CLIENT = 'coap-client-notls';
const PORT = 25781;
const U = `coap://127.0.0.1:${PORT}`;
const enabled = peerAvailable(`libcoap (${CLIENT})`, hasCommand(CLIENT), 'apt-get install libcoap3-bin');
const coapClient = (args: readonly string[], breakS = 3) =>
  run(CLIENT, ['-B', String(breakS), ...args], (breakS + 5) * 1000);
const pdus = (out: string) => out.split('\n').filter((l) => l.startsWith('v:1 '));

describe.runIf(enabled)('libcoap coap-client-notls -> our RD', () => {
  let server: RdServer;
  beforeAll(async () => {
    server = await startRdServer({ host: '127.0.0.1', port: PORT });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('discovery: /.well-known/core?rt=core.rd*', async () => {
    const r = await coapClient([`${U}/.well-known/core?rt=core.rd*`]);
    expect(r.stdout.trim()).toBe(
      '</rd>;rt="core.rd";ct=40,</rd-lookup/ep>;rt="core.rd-lookup-ep";ct=40;obs,</rd-lookup/res>;rt="core.rd-lookup-res";ct=40;obs',
    );
  });

  it('registers, looks up, updates (lt, links, base) and deletes', async () => {
    const reg = await coapClient([
      '-v',
      '6',
      '-m',
      'post',
      '-e',
      '</sensors/temp>;rt="temperature"',
      `${U}/rd?ep=node1&lt=60`,
    ]);
    const created = pdus(reg.stdout + reg.stderr).find((l) => l.includes('c:2.01'));
    expect(created).toBeDefined();
    const id = /Location-Path:rd, Location-Path:([0-9a-f]+)/.exec(created!)?.[1];
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    const stored = await server.rd.store.get(id!);
    expect(stored?.ep).toBe('node1');
    expect(stored?.lt).toBe(60);

    const res = await coapClient([`${U}/rd-lookup/res?rt=temperature`]);
    expect(res.stdout.trim()).toMatch(
      /^<coap:\/\/127\.0\.0\.1:\d+\/sensors\/temp>;rt="temperature";anchor="coap:\/\/127\.0\.0\.1:\d+"$/,
    );
    const ep = await coapClient([`${U}/rd-lookup/ep?ep=node1`]);
    expect(ep.stdout.trim()).toMatch(new RegExp(`^</rd/${id}>;ep=node1;base="coap://127\\.0\\.0\\.1:\\d+";lt=60$`));

    const upd = await coapClient(['-v', '6', '-m', 'post', `${U}/rd/${id}?lt=120`]);
    expect(pdus(upd.stdout + upd.stderr).some((l) => l.includes('c:2.04'))).toBe(true);
    expect((await server.rd.store.get(id!))?.lt).toBe(120);

    await coapClient([
      '-m',
      'post',
      '-e',
      '</sensors/hum>;rt="humidity"',
      `${U}/rd/${id}?base=coap://[2001:db8::5]:5683`,
    ]);
    const moved = await coapClient([`${U}/rd-lookup/res?ep=node1`]);
    expect(moved.stdout.trim()).toBe(
      '<coap://[2001:db8::5]:5683/sensors/hum>;rt="humidity";anchor="coap://[2001:db8::5]:5683"',
    );

    const del = await coapClient(['-v', '6', '-m', 'delete', `${U}/rd/${id}`]);
    expect(pdus(del.stdout + del.stderr).some((l) => l.includes('c:2.02'))).toBe(true);
    expect(await server.rd.store.get(id!)).toBeUndefined();
    const gone = await coapClient(['-m', 'delete', `${U}/rd/${id}`]);
    expect(gone.stdout + gone.stderr).toContain('4.04');
  });

  it('bad input answers with a code and a reason', async () => {
    const noEp = await coapClient(['-m', 'post', '-e', '</a>', `${U}/rd?lt=60`]);
    expect(noEp.stdout + noEp.stderr).toContain('4.00 missing ep');
    const badLinks = await coapClient(['-m', 'post', '-e', '</a', `${U}/rd?ep=x`]);
    expect(badLinks.stdout + badLinks.stderr).toContain('4.00 malformed link format');
    const lt0 = await coapClient(['-m', 'post', '-e', '</a>', `${U}/rd?ep=x&lt=0`]);
    expect(lt0.stdout + lt0.stderr).toContain('4.00 lt must be');
    expect(await server.rd.store.findByName('x', undefined)).toBeUndefined();
  });

  it('a large registration over Block1 and its lookup over Block2 (64-byte blocks)', async () => {
    const links = Array.from({ length: 40 }, (_, i) => `</s/${i}>;rt="bulk"`).join(',');
    const reg = await coapClient(['-v', '6', '-b', '64', '-m', 'post', '-e', links, `${U}/rd?ep=bulk`]);
    // 709 bytes in 64-byte blocks: the 2.01 acknowledges block 11, the last one.
    expect(pdus(reg.stdout + reg.stderr).some((l) => /t:ACK c:2\.01 .*Block1:11\/_\/64/.test(l))).toBe(true);
    expect((await server.rd.store.findByName('bulk', undefined))?.links).toHaveLength(40);
    const r = await coapClient(['-b', '64', `${U}/rd-lookup/res?rt=bulk`]);
    const got = r.stdout.trim().split(',<');
    expect(got).toHaveLength(40);
    expect(r.stdout).toContain('/s/39>;rt="bulk"');
  });

  it('observes a lookup and is notified when a matching endpoint registers', async () => {
    // coap-client exits by itself after -s seconds; its output is read once it has.
    const watching = coapClient(['-s', '4', `${U}/rd-lookup/res?rt=door`], 4);
    await new Promise((r) => setTimeout(r, 1000));
    await coapClient(['-m', 'post', '-e', '</door>;rt="door"', `${U}/rd?ep=door1`]);
    await coapClient(['-m', 'post', '-e', '</window>;rt="window"', `${U}/rd?ep=window1`]);
    const { stdout: out } = await watching;
    expect(out).toMatch(/<coap:\/\/127\.0\.0\.1:\d+\/door>;rt="door"/);
    expect(out).not.toContain('window');
  });
});

const DTLS_CLIENT = 'coap-client-openssl';
const dtlsEnabled = peerAvailable(`libcoap (${DTLS_CLIENT})`, hasCommand(DTLS_CLIENT), 'apt-get install libcoap3-bin');

describe.runIf(dtlsEnabled)(
  'libcoap coap-client-openssl over DTLS PSK -> our RD: the registrant identity owns it',
  () => {
    let server: RdServer;
    const S = 'coaps://127.0.0.1:25786';
    const psk = (identity: string, key: string, args: readonly string[]) =>
      run(DTLS_CLIENT, ['-B', '4', '-u', identity, '-k', key, ...args], 10_000);
    beforeAll(async () => {
      const enc = new TextEncoder();
      server = await startRdServer({
        host: '127.0.0.1',
        port: 25785,
        dtlsPort: 25786,
        psk: new Map([
          ['dev-1', enc.encode('secret1')],
          ['dev-2', enc.encode('secret2')],
        ]),
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('registers as dev-1; dev-2, plain UDP and a wrong key cannot touch it; dev-1 can', async () => {
      const reg = await psk('dev-1', 'secret1', [
        '-v',
        '6',
        '-m',
        'post',
        '-e',
        '</lock>;rt="lock"',
        `${S}/rd?ep=door-lock`,
      ]);
      const created = pdus(reg.stdout + reg.stderr).find((l) => l.includes('c:2.01'));
      const id = /Location-Path:rd, Location-Path:([0-9a-f]+)/.exec(created ?? '')?.[1];
      expect(id).toBeDefined();
      const stored = await server.rd.store.get(id!);
      expect(stored?.owner).toBe('psk:dev-1');
      expect(stored?.base).toMatch(/^coaps:\/\/127\.0\.0\.1:\d+$/);

      const other = await psk('dev-2', 'secret2', ['-m', 'post', `${S}/rd/${id}?lt=5`]);
      expect(other.stdout + other.stderr).toContain('4.03 not allowed to update this registration');
      const plain = await coapClient(['-m', 'delete', `coap://127.0.0.1:25785/rd/${id}`]);
      expect(plain.stdout + plain.stderr).toContain('4.03 not allowed to remove this registration');
      const wrongKey = await psk('dev-1', 'wrong', ['-m', 'delete', `${S}/rd/${id}`]);
      expect(wrongKey.stdout + wrongKey.stderr).not.toContain('2.02');
      expect((await server.rd.store.get(id!))?.lt).toBe(90_000);

      const own = await psk('dev-1', 'secret1', ['-v', '6', '-m', 'post', `${S}/rd/${id}?lt=300`]);
      expect(pdus(own.stdout + own.stderr).some((l) => l.includes('c:2.04'))).toBe(true);
      expect((await server.rd.store.get(id!))?.lt).toBe(300);
      const del = await psk('dev-1', 'secret1', ['-v', '6', '-m', 'delete', `${S}/rd/${id}`]);
      expect(pdus(del.stdout + del.stderr).some((l) => l.includes('c:2.02'))).toBe(true);
      expect(await server.rd.store.get(id!)).toBeUndefined();
    });
  },
);
