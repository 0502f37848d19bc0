/**
 * Test-only UDP relay standing in for a load balancer in front of cluster nodes: the device talks
 * to the relay's front port; the relay forwards each device's datagrams from one upstream socket
 * (so a node sees the same peer whichever node it is) to the current target node, and the
 * answers back. Switching `target` is a failover.
 */
import { createSocket, type Socket } from 'node:dgram';

export class UdpRelay {
  target: number;
  readonly #front: Socket;
  readonly #upstream: Socket;
  #device: { address: string; port: number } | undefined;

  private constructor(front: Socket, upstream: Socket, target: number) {
    this.#front = front;
    this.#upstream = upstream;
    this.target = target;
    front.on('message', (msg, rinfo) => {
      this.#device = { address: rinfo.address, port: rinfo.port };
      upstream.send(msg, this.target, '127.0.0.1');
    });
    upstream.on('message', (msg) => {
      if (this.#device) front.send(msg, this.#device.port, this.#device.address);
    });
  }

  /** One device behind `frontPort`; its traffic leaves from `upstreamPort` (both loopback). */
  static async start(frontPort: number, upstreamPort: number, target: number): Promise<UdpRelay> {
    const bind = (port: number) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = createSocket('udp4');
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', () => resolve(socket));
      });
    return new UdpRelay(await bind(frontPort), await bind(upstreamPort), target);
  }

  async close(): Promise<void> {
    await Promise.all([this.#front, this.#upstream].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
