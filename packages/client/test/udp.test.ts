/** Real sockets on 127.0.0.1: registration and a Read over UDP. */
import { ContentFormat } from '@lwm2m-ts/codec';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { describe, expect, it } from 'vitest';
import { deviceInstance, LwM2mClient, securityInstance, serverInstance } from '../src/index';
import { FakeServer } from './fake-server';

describe('over UDP on loopback', () => {
  it('registers and answers a Read', async () => {
    const serverTransport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const server = new FakeServer(serverTransport, '127.0.0.1');
    const registered = new Promise<unknown>((resolve) => {
      server.endpoint.router.post('/rd', (req) => {
        resolve(req.query);
        return { code: 0x41, locationPath: ['rd', 'u1'] };
      });
    });
    const client = new LwM2mClient({
      endpointName: 'udp-dev',
      transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: server.uri, shortServerId: 1 }) } },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 60 }) } },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Loopback Inc.' }) } },
      ],
    });
    try {
      await client.start();
      expect(await registered).toContain('ep=udp-dev');
      const clientPort = client.endpoint.transport.localAddress()!.port;
      const peer = await serverTransport.resolvePeer('127.0.0.1', clientPort);
      const res = await server.endpoint.request({
        method: 'GET',
        peer,
        path: '/3/0/0',
        accept: ContentFormat.TEXT_PLAIN,
      });
      expect(res.text()).toBe('Loopback Inc.');
    } finally {
      await client.stop({ deregister: false });
      await server.endpoint.close();
    }
  });
});
