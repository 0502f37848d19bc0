// DTLS transport benchmark: PSK and ECDHE-ECDSA full handshakes per second, memory per idle session.
// Run: pnpm --filter @lwm2m-ts/transport-dtls bench   (builds dist first, runs with node --expose-gc)
// The server runs in this process, the clients in a child process, over loopback UDP. Server cost is measured in
// CPU time of this process (process.cpuUsage), which stays meaningful on a loaded machine where wall-clock
// throughput does not.
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createDtlsClient, createDtlsServer } from '../dist/index.js';
import { measureInProcess } from './in-process.mjs';

const PSK = Buffer.from('secretPSK');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 800);
// BENCH_MODES=psk (or inproc, ecdsa, idle) runs a subset, e.g. for a CPU profile of one kind of handshake.
const MODES = (process.env.BENCH_MODES ?? 'inproc,psk,ecdsa,idle').split(',');

if (process.argv[2] === 'client') await clients(JSON.parse(process.argv[3]));
else await main();

async function main() {
  if (MODES.includes('inproc')) {
    const m = await measureInProcess();
    console.log(
      `in-process, no sockets (best of 40 rounds): server ${m.handshakeMicros.toFixed(0)} µs per full PSK handshake ` +
        `(=> ${(1e6 / m.handshakeMicros).toFixed(0)}/s per core before UDP costs), ${m.recordMicros.toFixed(2)} µs to open ` +
        'and echo one 150-byte CCM_8 record',
    );
  }
  const serverKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = serverKey.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const server = await createDtlsServer({
    host: '127.0.0.1',
    psk: (id) => (id === 'bench' ? PSK : undefined),
    rpk: { privateKey: serverKey.privateKey },
    clientAuth: 'none',
    limits: { maxHandshakes: 5000, maxSessions: 20000 },
  });
  server.onReceive(() => {});
  const port = server.localAddress().port;
  const run = (mode, extra = {}) => {
    const child = fork(new URL(import.meta.url).pathname, ['client', JSON.stringify({ mode, port, spki, ...extra })]);
    return new Promise((resolve, reject) => {
      child.on('message', (m) => resolve({ ...m, child }));
      child.on('error', reject);
    });
  };

  for (const mode of ['psk', 'ecdsa'].filter((m) => MODES.includes(m))) {
    const cpu0 = process.cpuUsage();
    const r = await run(mode);
    const cpu = process.cpuUsage(cpu0);
    r.child.kill();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const name = mode === 'psk' ? 'PSK (CCM_8)        ' : 'ECDHE-ECDSA (CCM_8)';
    console.log(
      `${name} full handshakes incl. cookie exchange: server CPU ${((cpuSeconds / r.done) * 1e6).toFixed(0)} µs each ` +
        `=> ${(r.done / cpuSeconds).toFixed(0)}/s per server core; ${(r.done / r.seconds).toFixed(0)}/s end to end ` +
        `(${r.done} in ${r.seconds.toFixed(1)} s, ${r.failed} failed, ${CONCURRENCY} clients sharing the machine)`,
    );
    if (mode === 'psk') {
      const perCore = r.done / cpuSeconds;
      console.log(
        `  target (issue #6): >= 3000 PSK handshakes/s per server core: ${perCore >= 3000 ? 'met' : 'NOT met'}`,
      );
    }
    await new Promise((res) => setTimeout(res, 300));
  }

  if (!MODES.includes('idle')) return server.close();
  // Memory per idle established session, server side: connection + resumable-session cache entry.
  global.gc?.();
  const before = process.memoryUsage();
  const r = await run('idle', { count: IDLE_SESSIONS });
  await new Promise((res) => setTimeout(res, 300));
  global.gc?.();
  global.gc?.();
  const after = process.memoryUsage();
  const sessions = server.stats().sessions;
  const perSession = (after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers)) / sessions;
  console.log(
    `idle sessions: ${sessions} established (${r.failed} failed); heap + ArrayBuffers per session: ` +
      `${(perSession / 1024).toFixed(2)} KiB${global.gc ? '' : ' (run with --expose-gc for a stable number)'}`,
  );
  r.child.kill();
  await server.close();
}

async function clients({ mode, port, spki, count }) {
  const target = { address: '127.0.0.1', port, key: `127.0.0.1|${port}` };
  const options =
    mode === 'ecdsa'
      ? {
          host: '127.0.0.1',
          rpk: { trusted: [Buffer.from(spki, 'base64')] },
          cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
        }
      : { host: '127.0.0.1', psk: { identity: 'bench', key: PSK }, cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] };
  if (mode === 'idle') {
    let failed = 0;
    const open = [];
    for (let i = 0; i < count; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => createDtlsClient(options)));
      const results = await Promise.allSettled(batch.map((c) => c.send(target, Buffer.from('hi'))));
      failed += results.filter((x) => x.status === 'rejected').length;
      open.push(...batch);
    }
    process.send({ failed });
    return; // sockets keep the process (and the sessions) alive until the parent kills it
  }
  const transports = await Promise.all(Array.from({ length: CONCURRENCY }, () => createDtlsClient(options)));
  let done = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(
    transports.map(async (c) => {
      while (performance.now() < deadline) {
        try {
          await c.send(target, Buffer.from('x'));
          done++;
        } catch {
          failed++;
        }
        // Like a device that goes away: no close_notify, so the server measures handshakes, not closes.
        c.disconnect(target, { notify: false });
        c.forgetSession('127.0.0.1', port); // force full handshakes
      }
    }),
  );
  process.send({ done, failed, seconds: (performance.now() - start) / 1000 });
}
