/**
 * A loopback UDP relay that plays a NAT: the client talks to `port`, the relay forwards from an
 * upstream socket of its own, and `rebind()` swaps that socket for a new one, so the server sees
 * the same client (same DTLS session) arrive from a new source port.
 */
import { createSocket, type Socket } from 'node:dgram';

const bind = (socket: Socket, host: string) =>
  new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });

export class RebindingUdpProxy {
  #client: { address: string; port: number } | undefined;
  #upstream: Socket;
  #closed = false;

  private constructor(
    private readonly front: Socket,
    upstream: Socket,
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.#upstream = upstream;
    front.on('message', (data, from) => {
      this.#client = { address: from.address, port: from.port };
      this.#upstream.send(data, this.targetPort, this.host);
    });
    this.#listen(upstream);
  }

  static async start(targetPort: number, host = '127.0.0.1'): Promise<RebindingUdpProxy> {
    const front = createSocket('udp4');
    const upstream = createSocket('udp4');
    await bind(front, host);
    await bind(upstream, host);
    return new RebindingUdpProxy(front, upstream, host, targetPort);
  }

  /** The port clients send to. */
  get port(): number {
    return this.front.address().port;
  }

  /** The source port the server sees now. */
  get upstreamPort(): number {
    return this.#upstream.address().port;
  }

  /** NAT rebinding: later datagrams leave from a new port; the old one is closed (replies to it are lost). */
  async rebind(): Promise<void> {
    const next = createSocket('udp4');
    await bind(next, this.host);
    const old = this.#upstream;
    this.#upstream = next;
    this.#listen(next);
    old.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.front.close();
    this.#upstream.close();
  }

  #listen(socket: Socket): void {
    socket.on('message', (data) => {
      const client = this.#client;
      if (client && !this.#closed) this.front.send(data, client.port, client.address);
    });
  }
}
