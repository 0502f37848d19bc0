#!/usr/bin/env node
// `pnpm start`: the LwM2M server (API + web UI) and, beside it, one simulated device, so a
// newcomer opens the UI and sees a device with live values. Arguments go to the server
// (e.g. `pnpm start -- --http-port 8081`; `--coap-ws` is added); SIGINT/SIGTERM stop both, the device first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const serverBin = `${root}apps/server/dist/bin.js`;
const simulatorBin = `${root}apps/client/dist/bin.js`;
for (const bin of [serverBin, simulatorBin]) {
  if (!existsSync(bin)) {
    console.error(`start: ${bin} is missing; run \`pnpm build\` first`);
    process.exit(1);
  }
}

const args = process.argv.slice(2).filter((a) => a !== '--');
const flag = (name, env, fallback) => {
  const i = args.indexOf(name);
  if (i >= 0 && args[i + 1]) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline ? inline.slice(name.length + 1) : (process.env[env] ?? fallback);
};
const httpPort = Number(flag('--http-port', 'LWM2M_HTTP_PORT', '8080'));
const coapPort = Number(flag('--coap-port', 'LWM2M_COAP_PORT', '5683'));

// The demo serves CoAP over WebSockets too, so the UI's "Device in this tab" page works at once.
const serverArgs = args.includes('--coap-ws') ? args : [...args, '--coap-ws'];
const server = spawn(process.execPath, [serverBin, ...serverArgs], { stdio: 'inherit' });
let device;
let stopping = false;

const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  if (device && device.exitCode === null) {
    device.once('exit', () => server.kill(signal));
    device.kill(signal);
    setTimeout(() => server.kill(signal), 3000).unref();
  } else {
    server.kill(signal);
  }
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
server.on('exit', (code, signal) => {
  if (device && device.exitCode === null) device.kill('SIGTERM');
  process.exit(code ?? (signal ? 0 : 1));
});

// Start the device once the API answers (at most 60 s).
const deadline = Date.now() + 60_000;
while (!stopping && Date.now() < deadline) {
  const up = await fetch(`http://127.0.0.1:${httpPort}/api/clients`).then(
    (r) => r.status < 500,
    () => false,
  );
  if (up) break;
  await new Promise((r) => setTimeout(r, 250));
}
if (!stopping) {
  device = spawn(
    process.execPath,
    [simulatorBin, '--server', `coap://127.0.0.1:${coapPort}`, '--endpoint', 'demo-device', '--no-interactive'],
    { stdio: 'inherit' },
  );
  console.log(`\n  lwm2m-ts is running: open http://localhost:${httpPort} (one simulated device: demo-device)\n`);
}
