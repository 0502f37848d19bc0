import { createSocket, type Socket } from 'node:dgram';

/**
 * A loopback UDP relay standing in for a NAT: the client talks to `port`, the relay talks to the server from an
 * outbound socket that `rebind()` replaces (new source port, as after a NAT timeout). `tap` sees and may drop
 * or duplicate client->server datagrams.
 */
export class UdpProxy {
  readonly front: Socket = createSocket('udp4');
  private back: Socket;
  private client?: { address: string; port: number };
  readonly fromClient: Buffer[] = [];
  readonly toClient: Buffer[] = [];
  dropFromClient?: (d: Buffer) => boolean;
  dropToClient?: (d: Buffer) => boolean;
  private held?: Buffer[];

  private constructor(private readonly serverPort: number) {
    this.back = this.newBack();
    this.front.on('message', (msg, rinfo) => {
      this.client = { address: rinfo.address, port: rinfo.port };
      this.fromClient.push(msg);
      if (this.dropFromClient?.(msg)) return;
      if (this.held) {
        this.held.push(msg);
        return;
      }
      this.back.send(msg, this.serverPort, '127.0.0.1');
    });
  }

  static async start(serverPort: number): Promise<UdpProxy> {
    const p = new UdpProxy(serverPort);
    await new Promise<void>((r) => p.front.bind(0, '127.0.0.1', () => r()));
    return p;
  }

  get port(): number {
    return this.front.address().port;
  }

  private newBack(): Socket {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    s.on('message', (msg) => {
      this.toClient.push(msg);
      if (this.dropToClient?.(msg)) return;
      if (this.client) this.front.send(msg, this.client.port, this.client.address);
    });
    return s;
  }

  /** Holds client datagrams for `ms` (starting with the current one), then forwards them in reverse order. */
  reverseFromClientFor(ms: number): void {
    this.held = [];
    setTimeout(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const d of held.reverse()) this.back.send(d, this.serverPort, '127.0.0.1');
    }, ms);
  }

  /** Sends a datagram to the server as if it came from the client (for replay tests). */
  inject(d: Buffer): void {
    this.back.send(d, this.serverPort, '127.0.0.1');
  }

  rebind(): void {
    const old = this.back;
    this.back = this.newBack();
    old.close();
  }

  close(): void {
    this.front.close();
    this.back.close();
  }
}
