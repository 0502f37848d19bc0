/** Pairs on real UDP sockets over loopback (IPv4 127.0.0.1 or IPv6 ::1), ports chosen by the OS. */
import { createLwM2mServer } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { connect, type LwM2mPair } from '../pair';

export async function udpPair(family: 4 | 6): Promise<LwM2mPair> {
  const host = family === 4 ? '127.0.0.1' : '::1';
  const serverTransport = await createUdpTransport({ host, port: 0 });
  const server = createLwM2mServer({ transport: serverTransport });
  const port = serverTransport.localAddress()!.port;
  return connect(server, {
    endpointName: `udp${family}-dev`,
    transport: await createUdpTransport({ host, port: 0 }),
    serverUri: family === 4 ? `coap://127.0.0.1:${port}` : `coap://[::1]:${port}`,
  });
}
