/** The Cluster page in chromium: two nodes sharing a redis-server, and the devices each owns. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../../src/index';
import { api, waitFor } from '../app-harness';
import { RedisServerProcess, requireRedisServer, startClusterNode } from '../cluster-harness';
import { type SimulatedDevice, startSimulatedDevice } from '../simulated-device';
import { artifactPath, buildUi, chromiumAvailable, launchChromium } from './browser-harness';

const BASE = 27082;
const REDIS_PORT = 27096;
const available = chromiumAvailable() && requireRedisServer('cluster page in chromium');

describe.skipIf(!available)('Cluster page in chromium', () => {
  let redis: RedisServerProcess;
  let a: ServerApp;
  let b: ServerApp;
  let device: SimulatedDevice;
  let browser: Browser;
  let page: Page;
  let ui: { dir: string; remove: () => void };

  beforeAll(async () => {
    ui = await buildUi();
    redis = await RedisServerProcess.start({ port: REDIS_PORT });
    a = await startClusterNode(redis.url, BASE, 0, { uiDir: ui.dir });
    b = await startClusterNode(redis.url, BASE, 1, { uiDir: ui.dir });
    device = await startSimulatedDevice(a.coapPort, 'ui-cluster-1');
    await waitFor(async () => (await api(b, 'GET', '/api/clients/ui-cluster-1')).status === 200);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 600 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await device?.stop();
    await a?.close();
    await b?.close();
    await redis?.stop();
    ui?.remove();
  });

  it('lists both nodes with the devices each owns', async () => {
    await page.goto(`${b.httpUrl}/cluster`);
    const table = page.getByTestId('cluster-nodes');
    await expect
      .poll(async () => (await table.locator('tbody tr').allTextContents()).map((t) => t.slice(0, 7)), {
        timeout: 10_000,
      })
      .toEqual(['node-11', 'node-20']);
    expect(await page.locator('nav a.active').textContent()).toBe('Cluster');
    await page.screenshot({ path: artifactPath('server-cluster.png') });
  });
});
