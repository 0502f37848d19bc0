// Server-side CPU cost of the DTLS code itself, without sockets: a server and clients DtlsTransport joined by
// in-memory sockets in this process, the server's datagram handler timed with process.hrtime. Each figure is the
// best of many short rounds, which filters out time the OS gave to other processes on a shared machine (wall
// time inside a synchronous handler is CPU time unless the process was preempted). Kernel UDP costs are not
// included: add the plain-UDP CPU per datagram (the transport benchmark's udp row) for a full figure.
import { EventEmitter } from 'node:events';
import { DtlsTransport } from '../dist/index.js';

const PSK = Buffer.from('secretPSK');
const SUITES = ['TLS_PSK_WITH_AES_128_CCM_8'];
const SERVER = { address: '127.0.0.1', port: 5684, key: '127.0.0.1|5684' };

class MemorySocket extends EventEmitter {
  constructor(port, queue) {
    super();
    this.port = port;
    this.queue = queue;
  }
  address() {
    return { address: '127.0.0.1', port: this.port, family: 'IPv4' };
  }
  send(data, _port, _address) {
    const to = this.peer;
    const copy = Buffer.from(data);
    const rinfo = { address: '127.0.0.1', port: this.port, family: 'IPv4', size: copy.length };
    this.queue.push(() => to.emit('message', copy, rinfo));
  }
  close(cb) {
    cb?.();
  }
}

/** { handshakeMicros, recordMicros }: best-of-rounds server time per full PSK handshake and per echoed record. */
export async function measureInProcess({ rounds = 40, handshakesPerRound = 50, recordsPerRound = 500 } = {}) {
  const queue = [];
  const flush = async () => {
    while (queue.length > 0) {
      queue.shift()();
      await Promise.resolve();
    }
  };
  const serverSocket = new MemorySocket(SERVER.port, queue);
  const server = new DtlsTransport(
    serverSocket,
    {
      psk: (id) => (id === 'bench' ? PSK : undefined),
      cipherSuites: SUITES,
      limits: { maxHandshakes: 1e6, maxSessions: 1e6, idleTimeoutMs: 0 },
    },
    'server',
  );
  let serverNs = 0n;
  const [handler] = serverSocket.listeners('message');
  serverSocket.removeAllListeners('message');
  serverSocket.on('message', (msg, rinfo) => {
    const t = process.hrtime.bigint();
    handler(msg, rinfo);
    serverNs += process.hrtime.bigint() - t;
  });
  let nextPort = 40_000;
  const newClient = () => {
    const socket = new MemorySocket(nextPort++, queue);
    socket.peer = serverSocket;
    serverSocket.peer = socket;
    return new DtlsTransport(socket, { psk: { identity: 'bench', key: PSK }, cipherSuites: SUITES }, 'client');
  };
  let handshakeMicros = Number.POSITIVE_INFINITY;
  let recordMicros = Number.POSITIVE_INFINITY;
  const payload = Buffer.alloc(150, 1); // about a CoAP request or response with a short body
  server.onReceive((frame, peer) => void server.send(peer, Buffer.from(frame)));
  for (let r = 0; r < rounds; r++) {
    let t0 = serverNs;
    for (let i = 0; i < handshakesPerRound; i++) {
      const client = newClient();
      const sent = client.send(SERVER, Buffer.from('x'));
      await flush();
      await sent;
      server.disconnect(
        { ...SERVER, address: '127.0.0.1', port: nextPort - 1, key: `127.0.0.1|${nextPort - 1}` },
        { notify: false },
      );
    }
    // Each handshake also delivered and echoed one 1-byte record: small next to the handshake, counted in it.
    handshakeMicros = Math.min(handshakeMicros, Number(serverNs - t0) / handshakesPerRound / 1000);
    const client = newClient();
    const first = client.send(SERVER, payload);
    await flush();
    await first;
    t0 = serverNs;
    for (let i = 0; i < recordsPerRound; i++) {
      void client.send(SERVER, payload);
      while (queue.length > 0) queue.shift()();
    }
    recordMicros = Math.min(recordMicros, Number(serverNs - t0) / recordsPerRound / 1000);
    server.disconnect(
      { address: '127.0.0.1', port: nextPort - 1, key: `127.0.0.1|${nextPort - 1}` },
      { notify: false },
    );
  }
  return { handshakeMicros, recordMicros };
}
