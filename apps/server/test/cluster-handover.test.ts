/**
 * Hand-over between two live nodes: a device served by node A moves to node B (its address now
 * routes there, as after a NAT rebinding or a balancer change) and sends an Update. B records
 * itself as the owner in the same script as the Update and re-observes; A, still running, is told
 * on its lost-device channel and stops serving the device: it drops it from its own view and its
 * CoAP observation, so the device's notifications are reported once, by B. Ports 27560–27566.
 */
import { describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, type Json, waitFor } from './app-harness';
import { readSse, requireRedisServer, useRelayedNodes } from './cluster-harness';
import { startSimulatedDevice } from './simulated-device';

const BASE = 27560;
const RELAY_FRONT = 27564;
const REDIS_PORT = 27566;

if (requireRedisServer('server-app cluster hand-over')) {
  describe('cluster: hand-over between live nodes', () => {
    const env = useRelayedNodes(REDIS_PORT, BASE, 0, RELAY_FRONT);

    const devicesOf = async (app: ServerApp) =>
      Object.fromEntries(
        ((await api(app, 'GET', '/api/cluster/nodes')).json.nodes as Json[]).map((n) => [n.id, n.devices]),
      );

    it('the node that lost the device is told, stops serving it, and notifications are reported once', async () => {
      const { a, b, relay } = env;
      const device = await startSimulatedDevice(RELAY_FRONT, 'ho-1');
      env.device = device;
      await waitFor(async () => (await api(b, 'GET', '/api/clients/ho-1')).status === 200);
      const observe = await api(b, 'POST', '/api/clients/ho-1/3303/0/5700/observe'); // forwarded to A
      expect(observe.status).toBe(200);
      const observationId = observe.json.observationId as string;
      expect(a.cluster!.ownership.ownsLocally('ho-1')).toBe(true);
      expect(await devicesOf(b)).toEqual({ 'node-1': 1, 'node-2': 0 });

      relay.target = b.coapPort;
      await device.client.triggerUpdate();
      await waitFor(() => !a.cluster!.ownership.ownsLocally('ho-1') || undefined, 5000);
      await waitFor(async () => {
        const counts = await devicesOf(a);
        return (counts['node-1'] === 0 && counts['node-2'] === 1) || undefined;
      });
      expect(b.cluster!.ownership.ownsLocally('ho-1')).toBe(true);

      // B re-observed under the same id; one change is one notification on either node's stream.
      const events = readSse(`${a.httpUrl}/api/events?endpoint=ho-1&types=notification`, 2, 2500);
      await new Promise((r) => setTimeout(r, 300));
      device.setTemperature(12.5);
      const seen = await events;
      const values = seen.map((e) => (e.data.content as { value: number }).value);
      expect(values.filter((v) => v === 12.5)).toHaveLength(1);
      expect(seen.every((e) => e.data.observationId === observationId)).toBe(true);
      // The device is still served (by B) through either node's API.
      expect((await api(a, 'GET', '/api/clients/ho-1/3303/0/5700')).json.content.value).toBe(12.5);
    });
  });
}
