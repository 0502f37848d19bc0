/**
 * The built `lwm2m-rd` executable: flags, status page, clean shutdown on SIGINT/SIGTERM, and
 * IPv4 multicast discovery inside a private network namespace (when the machine allows one).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Endpoint, makePeer } from '@lwm2m-ts/coap';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { beforeAll, describe, expect, it } from 'vitest';
import { background, hasCommand, peerAvailable, run, waitFor } from '../test/processes';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const bin = `${appDir}dist/bin.js`;

beforeAll(async () => {
  const built = await run(
    `${appDir}../../node_modules/.bin/tsup`,
    ['--config', 'tsup.start.config.ts'],
    120_000,
    appDir,
  );
  expect(built.code, built.stdout + built.stderr).toBe(0);
}, 130_000);

describe('lwm2m-rd executable', () => {
  it('serves CoAP and a status page, and exits 0 on SIGINT and SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const rd = background('node', [bin, '--host', '127.0.0.1', '--port', '25782', '--http-port', '0']);
      await waitFor(() => rd.output().includes('resource directory on coap://127.0.0.1:25782'), 10_000);
      const httpPort = Number(/status page on http:\/\/127\.0\.0\.1:(\d+)\//.exec(rd.output())?.[1]);
      expect(httpPort).toBeGreaterThan(0);

      const client = new Endpoint({ transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }) });
      const res = await client.request({
        method: 'POST',
        peer: makePeer('127.0.0.1', 25782),
        path: '/rd',
        query: ['ep=cli-node', 'd=lab', 'et=sensor'],
        payload: '</temp>;rt="temperature"',
        contentFormat: 40,
      });
      expect(res.codeText).toBe('2.01');
      await client.close();

      const json = (await (await fetch(`http://127.0.0.1:${httpPort}/registrations`)).json()) as {
        count: number;
        registrations: { ep: string; d: string; attributes: Record<string, string>; links: string }[];
      };
      expect(json.count).toBe(1);
      expect(json.registrations[0]).toMatchObject({
        ep: 'cli-node',
        d: 'lab',
        attributes: { et: 'sensor' },
        links: '</temp>;rt="temperature"',
      });
      const html = await (await fetch(`http://127.0.0.1:${httpPort}/`)).text();
      expect(html).toContain('<td>cli-node</td>');
      expect(await (await fetch(`http://127.0.0.1:${httpPort}/health`)).text()).toBe('ok\n');
      expect((await fetch(`http://127.0.0.1:${httpPort}/nope`)).status).toBe(404);

      expect(await rd.stop(signal)).toBe(0);
      expect(rd.output()).toContain(`${signal}: shutting down`);
    }
  }, 40_000);

  it('rejects bad flags with a message and a non-zero exit', async () => {
    const r = await run('node', [bin, '--port', 'abc'], 10_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('expected a port number');
    const busy = background('node', [bin, '--port', '25783']);
    await waitFor(() => busy.output().includes('resource directory on'), 10_000);
    const second = await run('node', [bin, '--port', '25783'], 10_000);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/lwm2m-rd: .*25783/);
    expect(await busy.stop()).toBe(0);
  }, 30_000);

  // A private network namespace needs CAP_SYS_ADMIN (unprivileged containers usually lack it).
  const netns =
    hasCommand('unshare') && hasCommand('ip') && spawnSync('unshare', ['-n', 'true'], { timeout: 5000 }).status === 0;
  if (!netns) console.warn('\n!!! SKIPPING multicast test: cannot create a private network namespace (unshare -n)\n');

  it.runIf(netns && peerAvailable('libcoap', hasCommand('coap-client-notls'), 'apt-get install libcoap3-bin'))(
    'answers RD discovery sent to 224.0.1.187 (private network namespace), silent on no match',
    async () => {
      const script = [
        'ip link set lo up && ip route add 224.0.0.0/4 dev lo || exit 3',
        `node ${bin} --port 25784 --multicast > /dev/null & RD=$!`,
        'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do coap-client-notls -B 1 coap://127.0.0.1:25784/.well-known/core | grep -q core.rd && break; sleep 0.2; done',
        'echo "== match"; coap-client-notls -N -B 2 "coap://224.0.1.187:25784/.well-known/core?rt=core.rd*"',
        'echo; echo "== nomatch"; coap-client-notls -N -B 1 "coap://224.0.1.187:25784/.well-known/core?rt=nothing"',
        'echo "== error"; coap-client-notls -N -B 1 "coap://224.0.1.187:25784/missing"',
        `echo "== discover"; node ${bin} discover --port 25784 --timeout 500`,
        'echo "== end"; kill $RD; wait $RD',
      ].join('\n');
      const r = await run('unshare', ['-n', 'sh', '-c', script], 30_000);
      const [, match = '', rest = '', discovered = ''] =
        /== match\n([\s\S]*)== nomatch\n([\s\S]*)== discover\n([\s\S]*)== end/.exec(r.stdout) ?? [];
      // Our own multicast discovery client finds it at its unicast address.
      expect(discovered.trim()).toBe(
        'coap://127.0.0.1:25784 registration=/rd lookup-ep=/rd-lookup/ep lookup-res=/rd-lookup/res',
      );
      expect(match.trim()).toBe(
        '</rd>;rt="core.rd";ct=40,</rd-lookup/ep>;rt="core.rd-lookup-ep";ct=40;obs,</rd-lookup/res>;rt="core.rd-lookup-res";ct=40;obs',
      );
      // No empty 2.05 to a filter without match, no 4.04 to a group request.
      expect(rest.replace('== error\n', '').trim()).toBe('');
    },
    40_000,
  );

  it.runIf(netns && peerAvailable('libcoap', hasCommand('coap-client-notls'), 'apt-get install libcoap3-bin'))(
    'answers RD discovery sent to ff02::fe over a veth pair (private network namespace)',
    async () => {
      const script = [
        'ip link set lo up',
        'ip link add v0 type veth peer name v1 || { echo "== no veth"; exit 0; }',
        'ip link set v0 up && ip link set v1 up',
        'ip -6 addr add fd00::1/64 dev v0 nodad && ip -6 addr add fd00::2/64 dev v1 nodad || exit 3',
        `node ${bin} --host fd00::2 --port 25785 --multicast --multicast-interface '::%v1' > /dev/null & RD=$!`,
        'for i in $(seq 1 20); do coap-client-notls -B 1 "coap://[fd00::2]:25785/.well-known/core" | grep -q core.rd && break; sleep 0.2; done',
        'echo "== match"; coap-client-notls -N -B 2 "coap://[ff02::fe%v0]:25785/.well-known/core?rt=core.rd"',
        `echo; echo "== discover"; node ${bin} discover --group 'ff02::fe%v0' --port 25785 --timeout 500`,
        'echo "== end"; kill $RD; wait $RD',
      ].join('\n');
      const r = await run('unshare', ['-n', 'sh', '-c', script], 30_000);
      if (r.stdout.includes('== no veth')) {
        console.warn('\n!!! SKIPPING IPv6 multicast check: no veth support in this kernel\n');
        return;
      }
      const [, match = '', discovered = ''] = /== match\n([\s\S]*)== discover\n([\s\S]*)== end/.exec(r.stdout) ?? [];
      expect(match.trim()).toBe('</rd>;rt="core.rd";ct=40');
      expect(discovered.trim()).toBe(
        'coap://[fd00::2]:25785 registration=/rd lookup-ep=/rd-lookup/ep lookup-res=/rd-lookup/res',
      );
    },
    40_000,
  );
});
