/**
 * Child-process entry of the load generator (forked by the harness with an IPC channel).
 * Receives one `{ type: 'run', config }`, reports `{ type: 'measure' }`, `{ type: 'done' }`
 * and finally `{ type: 'result', result }`, then exits.
 */
import type { EndpointLoadConfig } from '../transports/endpoint-load';
import { runEndpointLoad } from '../transports/endpoint-load';
import { type LoadConfig, runLoad } from './con-get-load';

if (!process.send) {
  console.error('load-generator: must be started with child_process.fork (needs an IPC channel)');
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);

process.on('message', (message: { type: string; config?: LoadConfig | EndpointLoadConfig }) => {
  if (message.type !== 'run' || !message.config) return;
  const config = message.config;
  const onPhase = (phase: 'measure' | 'done') => send({ type: phase });
  // Raw CON GETs over UDP (server comparison), or our engine as the client (transport benchmark).
  ('transport' in config ? runEndpointLoad(config, onPhase) : runLoad(config, onPhase))
    .then((result) => {
      send({ type: 'result', result });
      process.disconnect?.();
    })
    .catch((err: unknown) => {
      send({ type: 'error', message: (err as Error).message });
      process.exitCode = 1;
      process.disconnect?.();
    });
});
send({ type: 'ready' });
