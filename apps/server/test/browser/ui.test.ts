import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../../src/index';
import { api, startTestApp, waitFor } from '../app-harness';
import { type SimulatedDevice, startSimulatedDevice } from '../simulated-device';
import { artifactPath, buildUi, chromiumAvailable, launchChromium } from './browser-harness';

const available = chromiumAvailable();
/** UI updates under a loaded CI machine may take more than vitest's 1 s default. */
const POLL = { timeout: 10_000 };

describe.skipIf(!available)('web UI in chromium', () => {
  let app: ServerApp;
  let device: SimulatedDevice;
  let browser: Browser;
  let page: Page;
  let ui: { dir: string; remove: () => void };

  beforeAll(async () => {
    ui = await buildUi();
    app = await startTestApp({ uiDir: ui.dir });
    device = await startSimulatedDevice(app.coapPort, 'sim-ui');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await device?.stop();
    await app?.close();
    ui?.remove();
  });

  const row = (path: string) => page.locator(`tr.resource[data-path="${path}"]`);
  const value = (path: string) => page.getByTestId(`value-${path}`);

  it('shows the device in the clients table, and a new one live', async () => {
    await page.goto(app.httpUrl);
    const first = page.locator('[data-testid="clients-table"] tr[data-endpoint="sim-ui"]');
    await first.waitFor({ timeout: 10_000 });
    await expect(first.textContent()).resolves.toContain('1.1');
    await page.locator('.live.on').first().waitFor();
    const second = await startSimulatedDevice(app.coapPort, 'sim-ui-2', { queueMode: true });
    try {
      const live = page.locator('tr[data-endpoint="sim-ui-2"]');
      await live.waitFor({ timeout: 10_000 });
      expect(await live.textContent()).toMatch(/awake|sleeping/);
      await page.screenshot({ path: artifactPath('clients.png') });
    } finally {
      await second.stop();
    }
    await page.locator('tr[data-endpoint="sim-ui-2"]').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('opens the client page with its object tree labelled from the models', async () => {
    await page.locator('tr[data-endpoint="sim-ui"]').click();
    await page.getByTestId('object-tree').waitFor();
    expect(await page.getByTestId('client-endpoint').textContent()).toBe('sim-ui');
    // Labels arrive with the models, fetched beside the client: the tree shows "Object 3" until then.
    const tree = () => page.getByTestId('object-tree').textContent();
    await expect.poll(tree, POLL).toContain('Device');
    await expect.poll(tree, POLL).toContain('Temperature');
    expect(await row('/3303/0/5700').textContent()).toContain('Sensor Value');
    expect(await row('/3303/0/5700').textContent()).toContain('float');
  });

  it('reads a value', async () => {
    await row('/3/0/0').locator('[data-op="read"]').click();
    await expect.poll(() => value('/3/0/0').textContent(), POLL).toContain('lwm2m-ts');
    expect(await page.getByTestId('op-status').textContent()).toContain('2.05');
  });

  it('writes a value with the typed editor', async () => {
    await row('/3/0/15').locator('[data-op="write"]').click();
    await page.getByTestId('write-input').fill('Europe/Berlin');
    await page.getByTestId('write-submit').click();
    await expect.poll(() => value('/3/0/15').textContent(), POLL).toContain('Europe/Berlin');
    const onDevice = await api(app, 'GET', '/api/clients/sim-ui/3/0/15');
    expect(onDevice.json.content.value).toBe('Europe/Berlin');
  });

  it('observes a sensor and the chart moves with each notification', async () => {
    await row('/3303/0/5700').locator('[data-op="observe"]').click();
    await row('/3303/0/5700').locator('[data-op="cancel-observe"]').waitFor();
    const chart = page.getByTestId('chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), POLL).toBeGreaterThanOrEqual(1);
    for (const [i, t] of [22.5, 24, 23.25, 26.5].entries()) {
      device.setTemperature(t);
      await expect
        .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 })
        .toBeGreaterThanOrEqual(i + 2);
    }
    await expect.poll(() => value('/3303/0/5700').textContent(), POLL).toContain('26.5');
    await page.locator('.instance[data-path="/3303/0"] .instance-head [data-op="read"]').click();
    await page.locator('.instance[data-path="/3/0"] .instance-head [data-op="read"]').click();
    await expect.poll(() => value('/3/0/1').textContent(), POLL).toContain('Simulated Device');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: artifactPath('client.png') });
    await row('/3303/0/5700').locator('[data-op="cancel-observe"]').click();
    await row('/3303/0/5700').locator('[data-op="observe"]').waitFor();
  });

  it('executes a resource with arguments and it reaches the device', async () => {
    const before = device.reboots.length;
    await row('/3/0/4').locator('[data-op="execute"]').click();
    await page.getByTestId('execute-args').fill("0='soon'");
    await page.getByTestId('execute-submit').click();
    await waitFor(() => device.reboots.length > before, 8_000);
    await expect.poll(() => page.getByTestId('op-status').textContent(), POLL).toContain('2.04');
  });

  it('shows the CoAP message log and the object models', async () => {
    await page.getByTestId('tab-log').click();
    await expect.poll(async () => page.getByTestId('message-log').locator('tbody tr').count(), POLL).toBeGreaterThan(5);
    expect(await page.getByTestId('message-log').textContent()).toContain('/rd');
    await page.screenshot({ path: artifactPath('log.png') });
    await page.getByRole('link', { name: 'Object models' }).click();
    await page.getByTestId('models-table').locator('tr', { hasText: 'Temperature' }).first().click();
    await expect.poll(() => page.locator('.split').textContent(), POLL).toContain('Sensor Value');
    await page.screenshot({ path: artifactPath('models.png') });
  });
});
