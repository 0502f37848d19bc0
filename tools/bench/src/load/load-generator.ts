/**
 * Child-process entry of the load generator (forked by the harness with an IPC channel).
 * Receives one `{ type: 'run', config }`, reports `{ type: 'measure' }`, `{ type: 'done' }`
 * and finally `{ type: 'result', result }`, then exits.
 */
import { type LoadConfig, runLoad } from './con-get-load';

if (!process.send) {
  console.error('load-generator: must be started with child_process.fork (needs an IPC channel)');
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);

process.on('message', (message: { type: string; config?: LoadConfig }) => {
  if (message.type !== 'run' || !message.config) return;
  runLoad(message.config, (phase) => send({ type: phase }))
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
