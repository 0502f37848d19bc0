/**
 * A real LwM2M device for tests: `@lwm2m-ts/client` over UDP on loopback with Device (3) and a
 * Temperature sensor (3303), registered with the app's LwM2M server.
 */
import {
  deviceInstance,
  type IpsoSensor,
  ipsoSensor,
  LwM2mClient,
  securityInstance,
  serverInstance,
} from '@lwm2m-ts/client';
import type { Transport } from '@lwm2m-ts/coap';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';

export interface SimulatedDevice {
  readonly client: LwM2mClient;
  readonly temperature: IpsoSensor;
  readonly reboots: string[][];
  /** Sets the temperature and tells observers. */
  setTemperature(value: number): void;
  stop(): Promise<void>;
}

export async function startSimulatedDevice(
  coapPort: number,
  endpointName = 'sim-1',
  options: { queueMode?: boolean; lifetime?: number; transport?: 'udp' | 'tcp' | 'ws' } = {},
): Promise<SimulatedDevice> {
  const kind = options.transport ?? 'udp';
  const transport: Transport =
    kind === 'tcp'
      ? await createTcpTransport({})
      : kind === 'ws'
        ? await createWsTransport({})
        : await createUdpTransport({ host: '127.0.0.1', port: 0 });
  const scheme = kind === 'tcp' ? 'coap+tcp' : kind === 'ws' ? 'coap+ws' : 'coap';
  const reboots: string[][] = [];
  const temperature = ipsoSensor({ value: 21.5, units: 'Cel', minRange: -40, maxRange: 85 });
  const client = new LwM2mClient({
    endpointName,
    transport,
    ...(options.queueMode ? { queueMode: { awakeTimeMs: 2_000 } } : {}),
    objects: [
      { id: 0, instances: { 0: securityInstance({ uri: `${scheme}://127.0.0.1:${coapPort}`, shortServerId: 1 }) } },
      { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: options.lifetime ?? 300 }) } },
      {
        id: 3,
        instances: {
          0: deviceInstance({
            manufacturer: 'lwm2m-ts',
            modelNumber: 'Simulated Device',
            serialNumber: 'SIM-0001',
            firmwareVersion: '1.0.0',
            reboot: (requester) => {
              reboots.push([requester.kind === 'server' ? String(requester.shortServerId) : requester.kind]);
            },
          }),
        },
      },
      { id: 3303, instances: { 0: temperature } },
    ],
  });
  await client.start();
  return {
    client,
    temperature,
    reboots,
    setTemperature(value) {
      temperature.update(value);
    },
    stop: () => client.stop(),
  };
}
