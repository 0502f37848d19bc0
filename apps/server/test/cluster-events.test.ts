/**
 * Cluster event stream: an observation made through node B (forwarded to the owner, node A)
 * delivers its notifications on node B's SSE stream, in order and each with a stream id; a late
 * subscriber replays from an id (Last-Event-ID or ?since=) without loss or duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerApp } from '../src/index';
import { api, waitFor } from './app-harness';
import { readSse, requireRedisServer, startTwoNodes, type TwoNodeCluster } from './cluster-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

const BASE = 27020;
const REDIS_PORT = 27091;
const VALUES = [30, 31, 32, 33, 34, 35, 36, 37];

if (requireRedisServer('server-app cluster events')) {
  describe('cluster: events reach every node', () => {
    let cluster: TwoNodeCluster;
    let a: ServerApp;
    let b: ServerApp;
    let device: SimulatedDevice;

    beforeAll(async () => {
      cluster = await startTwoNodes(REDIS_PORT, BASE);
      ({ a, b } = cluster);
    }, 30_000);
    afterAll(async () => {
      await device?.stop();
      await cluster?.close();
    });

    it("shows node A's registration and notifications on node B's SSE stream, in order", async () => {
      const stream = readSse(`${b.httpUrl}/api/events?endpoint=ev-1&types=registered,notification`, 1 + VALUES.length);
      await new Promise((r) => setTimeout(r, 200)); // the SSE subscription is in place
      device = await startSimulatedDevice(a.coapPort, 'ev-1');
      await waitFor(async () => (await api(b, 'GET', '/api/clients/ev-1')).status === 200);
      const observe = await api(b, 'POST', '/api/clients/ev-1/3303/0/5700/observe');
      expect(observe.status).toBe(200);
      for (const value of VALUES) {
        device.setTemperature(value);
        await new Promise((r) => setTimeout(r, 60));
      }
      const events = await stream;
      expect(events[0]).toMatchObject({ type: 'registered', data: { endpoint: 'ev-1' } });
      const values = events.slice(1).map((e) => (e.data.content as { value: number }).value);
      expect(values).toEqual(VALUES);
      // Stream ids rise with the order of delivery.
      const ids = events.map((e) => e.id!);
      expect(ids.every(Boolean)).toBe(true);
      expect([...ids].sort(compare)).toEqual(ids);

      // A late subscriber on node A replays from the registration's id: the same notifications.
      const replayed = await readSse(`${a.httpUrl}/api/events?endpoint=ev-1&types=notification`, VALUES.length, 5000, {
        'last-event-id': ids[0]!,
      });
      expect(replayed.map((e) => e.id)).toEqual(ids.slice(1));
      const since = await readSse(
        `${b.httpUrl}/api/events?types=notification&since=${ids[4]}`,
        VALUES.length - 4,
        5000,
      );
      expect(since.map((e) => e.id)).toEqual(ids.slice(5));
    });

    it('replays over the WebSocket too, each message with its eventId', async () => {
      const all = await readSse(
        `${b.httpUrl}/api/events?endpoint=ev-1&types=notification&since=0`,
        VALUES.length,
        5000,
      );
      const from = all[2]!.id!;
      const ws = new WebSocket(
        `${a.httpUrl.replace('http', 'ws')}/api/events/ws?endpoint=ev-1&types=notification&since=${from}`,
      );
      const messages: { eventId: string; content: { value: number } }[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      try {
        await waitFor(() => messages.length >= VALUES.length - 3 || undefined, 5000);
        expect(messages.map((m) => m.eventId)).toEqual(all.slice(3).map((e) => e.id));
        expect(messages.map((m) => m.content.value)).toEqual(VALUES.slice(3));
      } finally {
        ws.close();
      }
    });

    it('keeps the single-node API: a bad since is a 400, no since means live only', async () => {
      expect((await api(b, 'GET', '/api/events?since=abc')).status).toBe(400);
    });
  });
}

function compare(x: string, y: string): number {
  const [xm = 0, xs = 0] = x.split('-').map(Number);
  const [ym = 0, ys = 0] = y.split('-').map(Number);
  return xm !== ym ? xm - ym : xs - ys;
}
