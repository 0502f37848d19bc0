import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CoapError, Endpoint } from '@lwm2m-ts/coap';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcpTransport } from './tcp-transport';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function tcpServer() {
  const transport = await createTcpTransport({ host: '127.0.0.1', port: 0 });
  const endpoint = new Endpoint({ transport });
  closers.push(() => endpoint.close());
  let value = 20;
  endpoint.router
    .get('/hello', () => ({ payload: 'hello over tcp' }), { rt: 'greeting' })
    .get('/large', () => ({ payload: 'L'.repeat(5000) }))
    .get('/temp', () => ({ payload: String(value) }), { observable: true })
    .get('/missing', () => {
      throw CoapError.notFound('nothing here');
    });
  return {
    endpoint,
    port: transport.localAddress()!.port,
    bump: () => {
      value++;
      endpoint.notify('/temp');
    },
  };
}

describe('the CoAP engine over TCP (RFC 8323)', () => {
  it('serves GET, 4.04 and Block2-sized bodies to our own client', async () => {
    const { port } = await tcpServer();
    const client = new Endpoint({ transport: await createTcpTransport({}) });
    closers.push(() => client.close());
    const hello = await client.request({ method: 'GET', uri: `coap+tcp://127.0.0.1:${port}/hello` });
    expect(hello.codeText).toBe('2.05');
    expect(hello.text()).toBe('hello over tcp');
    const missing = await client.request({ method: 'GET', uri: `coap+tcp://127.0.0.1:${port}/missing` });
    expect(missing.codeText).toBe('4.04');
    const large = await client.request({ method: 'GET', uri: `coap+tcp://127.0.0.1:${port}/large` });
    expect(large.text()).toBe('L'.repeat(5000));
  });

  it('delivers observe notifications in order', async () => {
    const server = await tcpServer();
    const client = new Endpoint({ transport: await createTcpTransport({}) });
    closers.push(() => client.close());
    const obs = client.observe({ uri: `coap+tcp://127.0.0.1:${server.port}/temp` });
    const seen: string[] = [];
    for await (const n of obs) {
      seen.push(n.text());
      if (seen.length === 3) break;
      server.bump();
    }
    await obs.cancel();
    expect(seen).toHaveLength(3);
  });
});

const libcoap = ['/usr/bin/coap-client-notls', '/usr/bin/coap-server-notls'].every((p) => existsSync(p));
const requirePeer = () => {
  if (libcoap) return true;
  if (process.env.CI === 'true') throw new Error('libcoap3-bin (coap-client-notls) is required in CI');
  console.warn('!!! SKIPPING libcoap TCP interop: install libcoap3-bin');
  return false;
};

const run = (cmd: string, args: string[]) =>
  new Promise<string>((resolve) => {
    execFile(cmd, args, { timeout: 15_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });

describe('interop over TCP with libcoap 4.3 (assert on its output)', () => {
  it('coap-client-notls GETs from our server over coap+tcp', async () => {
    if (!requirePeer()) return;
    const { port } = await tcpServer();
    const out = await run('coap-client-notls', ['-B', '5', `coap+tcp://127.0.0.1:${port}/hello`]);
    expect(out).toContain('hello over tcp');
    const wk = await run('coap-client-notls', ['-B', '5', `coap+tcp://127.0.0.1:${port}/.well-known/core?rt=greeting`]);
    expect(wk).toContain('</hello>;rt="greeting"');
    expect(wk).not.toContain('</large>');
  });

  it('our client GETs from coap-server-notls over coap+tcp', async () => {
    if (!requirePeer()) return;
    const port = 25790 + Math.floor(Math.random() * 100);
    const server: ChildProcess = spawn('coap-server-notls', ['-A', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    closers.push(() => {
      server.kill('SIGTERM');
    });
    const client = new Endpoint({ transport: await createTcpTransport({}) });
    closers.push(() => client.close());
    let res: Awaited<ReturnType<typeof client.request>> | undefined;
    for (let attempt = 0; attempt < 20 && !res; attempt++) {
      res = await client
        .request({ method: 'GET', uri: `coap+tcp://127.0.0.1:${port}/`, timeoutMs: 2000 })
        .catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
    }
    expect(res?.codeText).toBe('2.05');
    expect(res?.text()).toMatch(/libcoap/i);
  });
});
