/**
 * Interactive commands run against a registered device, bootstrap, queue mode and the CLI run
 * in-process: all on loopback UDP with a real @lwm2m-ts/server.
 */
import { PassThrough, Writable } from 'node:stream';
import { createBootstrapServer, createLwM2mServer, SecurityMode } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandContext, runLine, runSimulatorCli, seededRandom, startSimulator } from '../src/index';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function lwm2mServer() {
  const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({ transport });
  cleanups.push(() => server.close());
  return { server, uri: `coap://127.0.0.1:${transport.localAddress()!.port}` };
}

const waitFor = async (what: () => boolean | Promise<boolean>, ms = 3_000) => {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('interactive commands on a registered device', () => {
  it('runs good commands and explains bad ones', async () => {
    const { server, uri } = await lwm2mServer();
    const sim = await startSimulator({ server: uri, endpoint: 'console-dev', rate: 0, random: seededRandom(3) });
    cleanups.push(() => sim.close());
    const ctx: CommandContext = { simulator: sim, current: sim.devices[0]! };
    const run = (line: string) => runLine(line, ctx);

    const list = await run('list');
    expect(list.error).toBeUndefined();
    expect(list.lines).toContain('/3303/0  Temperature');
    expect(list.lines.some((l) => l.startsWith('  /3303/0/5700  Sensor Value [R] = '))).toBe(true);
    expect(list.lines).toContain('  /3311/0/5850  On/Off [RW] = false');
    expect(list.lines).toContain('  /3/0/4  Reboot [E] = (executable)');

    expect((await run('set /3303/0/5700 22.5')).lines).toEqual(['/3303/0/5700 (Sensor Value) = 22.5']);
    expect((await run('get /3303/0/5700')).lines).toEqual(['/3303/0/5700 (Sensor Value) = 22.5']);
    const read = await server.read('console-dev', '/3303/0/5700');
    expect((read.content as { value?: { value: unknown } }).value?.value).toBe(22.5);
    expect((await run('set /3311/0/5850 on')).lines).toEqual(['/3311/0/5850 (On/Off) = true']);

    const bad = async (line: string) => {
      const outcome = await run(line);
      expect(outcome.error).toBe(true);
      return outcome.lines.join('\n');
    };
    expect(await bad('set /9999/0/1 3')).toMatch(/^set: console-dev has no object 9999; it exposes 3, 4, 6, 3303/);
    expect(await bad('set /3303/4/5700 3')).toBe('set: object 3303 has no instance 4; it has 0');
    expect(await bad('set /3303/0/1234 3')).toBe(
      'set: object 3303 (Temperature) has no resource 1234; see list for the resources it has',
    );
    expect(await bad('set /3303/0/5700 warm')).toBe(
      'set: resource 5700 (Sensor Value) is float: "warm" is not a number (e.g. 22.5)',
    );
    expect(await bad('set /3311/0/5850 maybe')).toBe(
      'set: resource 5850 (On/Off) is boolean: "maybe" is not true/false (also 1/0, on/off)',
    );
    expect(await bad('set /3/0/4 1')).toBe('set: resource 4 (Reboot) is executable; it holds no value');
    expect(await bad('sleep')).toBe('sleep: sleep needs queue mode: start the simulator with --queue');
    expect(await bad('use 7')).toBe('use: there is no device number 7; the fleet has 1..1');
    expect(await bad('register')).toBe('register: console-dev is already registered; use update to refresh');
    expect(await bad('jump')).toBe('unknown command "jump"; type help for the list');

    expect((await run('help')).lines.join('\n')).toContain('set <path> <value>');
    expect((await run('update')).lines).toEqual(['console-dev: Update sent']);

    const sent: string[][] = [];
    server.events.on('send', (e) => sent.push([...e.content.keys()]));
    expect((await run('send /3303/0/5700 /3/0/0')).lines).toEqual(['console-dev: sent /3303/0/5700 /3/0/0']);
    await waitFor(() => sent.length === 1);
    expect(sent[0]).toEqual(['/3303/0/5700', '/3/0/0']);

    expect((await run('deregister')).lines).toEqual(['console-dev: de-registered (register to come back)']);
    await waitFor(async () => (await server.getRegistration('console-dev')) === undefined);
    expect(await bad('update')).toBe('update: cannot update: console-dev is deregistered, not registered');
    expect((await run('register')).lines).toEqual(['console-dev: registered']);
    await waitFor(async () => (await server.getRegistration('console-dev')) !== undefined);
    expect((await run('quit')).quit).toBe(true);
  });
});

describe('bootstrap and queue mode', () => {
  it('--bootstrap: the device is told where to register, then registers there', async () => {
    const { server, uri } = await lwm2mServer();
    const bsTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const bs = createBootstrapServer({ transport: bsTransport });
    cleanups.push(() => bs.close());
    await bs.configs.put('bs-dev', {
      security: { 0: { uri, bootstrapServer: false, securityMode: SecurityMode.NO_SEC, shortServerId: 7 } },
      servers: { 0: { shortServerId: 7, lifetime: 120, notificationStoring: false, binding: 'U' } },
    });
    const sim = await startSimulator({
      bootstrap: `coap://127.0.0.1:${bsTransport.localAddress()!.port}`,
      endpoint: 'bs-dev',
      rate: 0,
    });
    cleanups.push(() => sim.close());
    expect(sim.devices[0]!.state).toBe('registered');
    await waitFor(async () => (await server.getRegistration('bs-dev')) !== undefined);
    expect(await server.getRegistration('bs-dev')).toMatchObject({ lifetime: 120 });
  });

  it('--queue: registers with Q, sleeps and wakes on command', async () => {
    const { server, uri } = await lwm2mServer();
    const sim = await startSimulator({ server: uri, endpoint: 'q-dev', queue: true, rate: 0 });
    cleanups.push(() => sim.close());
    await waitFor(async () => (await server.getRegistration('q-dev')) !== undefined);
    expect(await server.getRegistration('q-dev')).toMatchObject({ queueMode: true });
    const ctx: CommandContext = { simulator: sim, current: sim.devices[0]! };
    expect((await runLine('sleep', ctx)).lines[0]).toMatch(/^q-dev: sleeping/);
    expect(sim.devices[0]!.client!.sleeping).toBe(true);
    expect((await runLine('wake', ctx)).lines).toEqual(['q-dev: awake, Update sent']);
    expect(sim.devices[0]!.client!.sleeping).toBe(false);
  });
});

describe('lwm2m-simulate in-process', () => {
  const io = (stdin: PassThrough, signal: AbortSignal) => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    return {
      out,
      err,
      io: {
        out: (t: string) => out.push(t),
        err: (t: string) => err.push(t),
        stdin,
        stdinIsTTY: false,
        stdout: sink,
        stderr: sink,
        stderrIsTTY: false,
        signal,
      },
    };
  };

  it('rejects bad flags with a clear message and status 2', async () => {
    const { err, io: cliIo } = io(new PassThrough(), new AbortController().signal);
    expect(await runSimulatorCli(['--count', '0'], cliIo)).toBe(2);
    expect(err.join('\n')).toContain('--count must be a whole number >= 1 (got "0")');
    expect(await runSimulatorCli(['--objects', 'temperature,toaster'], cliIo)).toBe(2);
    expect(err.join('\n')).toContain('unknown object "toaster" in --objects');
    expect(await runSimulatorCli(['--server', 'http://x'], cliIo)).toBe(2);
    expect(err.join('\n')).toMatch(/"http:\/\/x" is not a coap:\/\/HOST:PORT URI/);
  });

  it('exits 1 when no device ever registered (a server that does not answer)', async () => {
    const silent = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    silent.onReceive(() => {});
    cleanups.push(() => silent.close());
    const { err, io: cliIo } = io(new PassThrough(), new AbortController().signal);
    const uri = `coap://127.0.0.1:${silent.localAddress()!.port}`;
    expect(await runSimulatorCli(['--server', uri, '--duration', '0.3', '--no-interactive'], cliIo)).toBe(1);
    expect(err.at(-1)).toMatch(/^summary: 1 devices, 0 registered, 0 failed, 1 pending;/);
  });

  it('reads commands from piped stdin with --interactive and de-registers on quit', async () => {
    const { server, uri } = await lwm2mServer();
    const stdin = new PassThrough();
    const { out, err, io: cliIo } = io(stdin, new AbortController().signal);
    const running = runSimulatorCli(['--server', uri, '-e', 'cli-dev', '--interactive', '--rate', '0'], cliIo);
    await waitFor(async () => (await server.getRegistration('cli-dev')) !== undefined);
    // The server stores the registration before the device has its 2.01: wait for the device too.
    await waitFor(() => err.some((l) => l.includes('cli-dev: registered at')));
    stdin.write('get /3/0/0\nbogus\nquit\n');
    expect(await running).toBe(0);
    expect(out).toContain('/3/0/0 (Manufacturer) = "lwm2m-ts"');
    expect(err).toContain('unknown command "bogus"; type help for the list');
    expect(err.some((l) => l.startsWith('summary: 1 devices, 1 registered, 0 failed'))).toBe(true);
    await waitFor(async () => (await server.getRegistration('cli-dev')) === undefined);
  });

  it('--log-json writes device events as pino JSON lines on stderr', async () => {
    const { server, uri } = await lwm2mServer();
    const controller = new AbortController();
    const { io: base } = io(new PassThrough(), controller.signal);
    const lines: string[] = [];
    const stderr = new Writable({
      write: (chunk, _e, cb) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    const running = runSimulatorCli(['--server', uri, '-e', 'json-dev', '--log-json', '--no-interactive'], {
      ...base,
      stderr,
    });
    await waitFor(async () => (await server.getRegistration('json-dev')) !== undefined);
    await waitFor(() => lines.length > 0);
    controller.abort();
    expect(await running).toBe(0);
    const first = JSON.parse(lines[0]!) as { level: number; name: string; msg: string };
    expect(first).toMatchObject({ level: 30, name: 'lwm2m-simulate' });
    expect(first.msg).toMatch(/^json-dev: registered at \/rd\//);
  });

  it('runs a small fleet until SIGINT (the abort signal) and prints progress and a summary', async () => {
    const { server, uri } = await lwm2mServer();
    const controller = new AbortController();
    const { err, io: cliIo } = io(new PassThrough(), controller.signal);
    const running = runSimulatorCli(
      ['--server', uri, '-e', 'cli-fleet', '-n', '5', '--ramp', '100', '--no-interactive'],
      cliIo,
    );
    await waitFor(async () => (await server.listRegistrations()).length === 5);
    await waitFor(() => err.some((l) => l.startsWith('summary: 5 devices, 5 registered')));
    controller.abort();
    expect(await running).toBe(0);
    expect(err[0]).toBe(`starting 5 devices (cli-fleet-0001 .. cli-fleet-0005) at 100/s against ${uri}`);
    expect(err).toContain('de-registering 5 device(s)...');
    await waitFor(async () => (await server.listRegistrations()).length === 0);
  });
});
