/**
 * Baseline server: node-coap (npm `coap`) answering GET on any path with the same payload as
 * the other servers under test. Started as its own process by the harness; prints "listening".
 */
import coap from 'coap';
import { BENCH_PAYLOAD } from './payload';

const port = Number(process.argv[2] ?? 25801);
const host = process.argv[3] ?? '127.0.0.1';
const server = coap.createServer({ type: host.includes(':') ? 'udp6' : 'udp4' });
server.on('request', (_req, res) => {
  res.setOption('Content-Format', 'text/plain');
  res.end(BENCH_PAYLOAD);
});
server.listen(port, host, () => console.log('listening'));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
