/** Wires the RD: UDP transport, Endpoint, ResourceDirectory, optional multicast and status page. */
import { Endpoint, type Transport } from '@lwm2m-ts/coap';
import { MemoryRdStore, ResourceDirectory, serveResourceDirectory } from '@lwm2m-ts/rd';
import { createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createMulticastListener, RD_MULTICAST_IPV4, RD_MULTICAST_IPV6 } from './multicast-transport';
import { type StatusPage, startStatusPage } from './status-page';

export interface RdServerOptions {
  readonly host: string;
  readonly port: number;
  /** HTTP status page port (0 = any); undefined = no status page. */
  readonly httpPort?: number;
  readonly httpHost?: string;
  /** Join the RD multicast group of the host's family on `port`. */
  readonly multicast?: boolean;
  /** Override the group (e.g. ff05::fe). */
  readonly multicastGroup?: string;
  readonly multicastInterface?: string;
  /** Also serve coaps (DTLS 1.2, PSK) on this port; registrations then belong to the PSK identity. */
  readonly dtlsPort?: number;
  /** PSK identity -> key, for `dtlsPort`. */
  readonly psk?: ReadonlyMap<string, Uint8Array>;
  readonly maxLifetimeS?: number;
  readonly maxRegistrations?: number;
  readonly log?: (line: string) => void;
}

export interface RdServer {
  readonly rd: ResourceDirectory;
  readonly endpoint: Endpoint;
  /** coap://host:port actually bound. */
  readonly coapUri: string;
  /** coaps://host:port when DTLS is on. */
  readonly coapsUri: string | undefined;
  readonly httpPort: number | undefined;
  close(): Promise<void>;
}

export async function startRdServer(options: RdServerOptions): Promise<RdServer> {
  const log = options.log ?? (() => {});
  const transport = await createUdpTransport({ host: options.host, port: options.port });
  const endpoint = new Endpoint({
    transport,
    onError: (e, where) => log(`error ${where}: ${e instanceof Error ? e.message : String(e)}`),
  });
  const rd = new ResourceDirectory({
    store: new MemoryRdStore(),
    onError: (e, where) => log(`error in ${where}: ${e instanceof Error ? e.message : String(e)}`),
    ...(options.maxLifetimeS !== undefined ? { maxLifetimeS: options.maxLifetimeS } : {}),
    ...(options.maxRegistrations !== undefined ? { maxRegistrations: options.maxRegistrations } : {}),
  });
  const coap = serveResourceDirectory(rd, endpoint);
  rd.onChange((e) =>
    log(
      `${e.type} ${e.registration.ep}${e.registration.d ? ` d=${e.registration.d}` : ''} /${e.registration.location.join('/')}`,
    ),
  );
  const bound = transport.localAddress()!;
  const host = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  const coapUri = `coap://${host}:${bound.port}`;
  const closers: (() => Promise<void>)[] = [];
  let multicastEndpoint: Endpoint | undefined;
  let dtlsEndpoint: Endpoint | undefined;
  let coapsUri: string | undefined;
  try {
    if (options.dtlsPort !== undefined) {
      const keys = options.psk ?? new Map<string, Uint8Array>();
      if (keys.size === 0) throw new Error('--dtls-port needs at least one --psk identity:key');
      const dtls = await createDtlsServer({ host: options.host, port: options.dtlsPort, psk: (id) => keys.get(id) });
      dtlsEndpoint = new Endpoint({ transport: dtls });
      const dtlsCoap = serveResourceDirectory(rd, dtlsEndpoint);
      closers.push(async () => dtlsCoap.detach());
      const a = dtls.localAddress()!;
      coapsUri = `coaps://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
      log(`resource directory on ${coapsUri} (DTLS PSK, ${keys.size} identities)`);
    }
    if (options.multicast) {
      const group = options.multicastGroup ?? (transport.type === 'udp6' ? RD_MULTICAST_IPV6 : RD_MULTICAST_IPV4);
      const mcast: Transport = await createMulticastListener({
        group,
        port: bound.port,
        replyVia: transport,
        ...(options.multicastInterface ? { interfaceAddress: options.multicastInterface } : {}),
      });
      // Same resources, answered from the unicast socket.
      multicastEndpoint = new Endpoint({ transport: mcast, router: endpoint.router });
      log(`multicast discovery on ${group.includes(':') ? `[${group}]` : group}:${bound.port}`);
    }
    let status: StatusPage | undefined;
    if (options.httpPort !== undefined) {
      status = await startStatusPage(rd, { host: options.httpHost ?? '127.0.0.1', port: options.httpPort, coapUri });
      closers.push(() => status!.close());
      log(`status page on http://${options.httpHost ?? '127.0.0.1'}:${status.port}/`);
    }
    log(`resource directory on ${coapUri}`);
    let closing: Promise<void> | undefined;
    return {
      rd,
      endpoint,
      coapUri,
      coapsUri,
      httpPort: status?.port,
      close: () => {
        closing ??= (async () => {
          coap.detach();
          rd.close();
          for (const c of closers) await c();
          await multicastEndpoint?.close();
          await dtlsEndpoint?.close();
          await endpoint.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    rd.close();
    await multicastEndpoint?.close();
    await dtlsEndpoint?.close();
    await endpoint.close();
    throw e;
  }
}
