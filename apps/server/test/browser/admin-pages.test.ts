/** Browser tests of the composite and queue views and the security, bootstrap and models pages. */
import { generateKeyPairSync } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../../src/index';
import { api, startTestApp, waitFor } from '../app-harness';
import { type SimulatedDevice, startSimulatedDevice } from '../simulated-device';
import { artifactPath, buildUi, chromiumAvailable, launchChromium } from './browser-harness';

const available = chromiumAvailable();
/** UI updates under a loaded CI machine may take more than vitest's 1 s default. */
const POLL = { timeout: 10_000 };

describe.skipIf(!available)('web UI admin pages in chromium', () => {
  let app: ServerApp;
  let device: SimulatedDevice;
  let sleepy: SimulatedDevice;
  let browser: Browser;
  let page: Page;
  let ui: { dir: string; remove: () => void };

  beforeAll(async () => {
    ui = await buildUi();
    app = await startTestApp({ uiDir: ui.dir, awakeTimeMs: 400 });
    device = await startSimulatedDevice(app.coapPort, 'admin-dev');
    sleepy = await startSimulatedDevice(app.coapPort, 'admin-sleepy', { queueMode: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sleepy?.stop();
    await device?.stop();
    await app?.close();
    ui?.remove();
  });

  it('runs a Read-Composite from the composite view', async () => {
    await page.goto(`${app.httpUrl}/clients/admin-dev`);
    await page.getByTestId('tab-composite').click();
    await page.getByTestId('composite-paths').fill('/3/0/0\n/3303/0/5700');
    await page.getByTestId('composite-read').click();
    await expect.poll(() => page.getByTestId('composite-result').textContent(), POLL).toContain('lwm2m-ts');
    expect(await page.getByTestId('composite-result').textContent()).toContain('/3303/0/5700');
  });

  it('shows a request queued for a sleeping client, and cancels it', async () => {
    await waitFor(async () => (await api(app, 'GET', '/api/clients/admin-sleepy')).json?.sleeping === true, 8_000);
    await page.goto(`${app.httpUrl}/clients/admin-sleepy`);
    await page.locator('.badge.sleeping').waitFor();
    await page.locator('tr.resource[data-path="/3/0/0"] [data-op="read"]').click();
    await expect.poll(() => page.getByTestId('op-status').textContent(), POLL).toContain('409');
    await page.getByTestId('tab-queue').click();
    const row = page.getByTestId('queue-table').locator('tbody tr', { hasText: '/3/0/0' });
    await row.waitFor();
    expect(await row.textContent()).toContain('read');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api(app, 'GET', '/api/clients/admin-sleepy/queue')).json).toEqual([]);
  });

  it('adds PSK credentials on the security page', async () => {
    await page.goto(`${app.httpUrl}/security`);
    await page.getByTestId('security-endpoint').fill('secure-dev');
    await page.getByTestId('security-identity').fill('secure-dev-id');
    await page.getByTestId('security-key').fill('0011223344556677');
    await page.getByTestId('security-save').click();
    await page.getByTestId('security-table').locator('tr', { hasText: 'secure-dev-id' }).waitFor();
    const stored = await app.context.security.getByEndpoint('secure-dev');
    expect(stored?.psk).toEqual({
      identity: 'secure-dev-id',
      key: new Uint8Array([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]),
    });
    await page.screenshot({ path: artifactPath('security.png') });
  });

  it('adds RPK (PEM) and X.509 credentials, bootstrap credentials, and removes them', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    await page.goto(`${app.httpUrl}/security`);
    const table = page.getByTestId('security-table');
    await page.getByTestId('security-endpoint').fill('rpk-ui');
    await page.getByTestId('security-mode').selectOption('rpk');
    await page.getByTestId('security-rpk').fill(pem);
    await page.getByTestId('security-save').click();
    await table.locator('tr', { hasText: 'rpk-ui' }).waitFor();
    expect((await app.context.security.getByEndpoint('rpk-ui'))?.rpk?.publicKey).toEqual(spki);

    await page.getByTestId('security-endpoint').fill('x509-ui');
    await page.getByTestId('security-mode').selectOption('x509');
    await page.getByTestId('security-subject').fill('CN=x509-ui,O=Acme');
    await page.getByTestId('security-save').click();
    await table.locator('tr', { hasText: 'CN=x509-ui,O=Acme' }).waitFor();
    expect((await app.context.security.getByEndpoint('x509-ui'))?.x509).toBe('CN=x509-ui,O=Acme');

    await page.getByTestId('security-remove-rpk-ui').click();
    await table.locator('tr', { hasText: 'rpk-ui' }).waitFor({ state: 'detached' });
    expect(await app.context.security.getByEndpoint('rpk-ui')).toBeUndefined();

    await page.getByTestId('security-store-bootstrap').click();
    await table.locator('tr', { hasText: 'No bootstrap credentials' }).waitFor();
    await page.getByTestId('security-endpoint').fill('bs-ui');
    await page.getByTestId('security-mode').selectOption('psk');
    await page.getByTestId('security-identity').fill('bs-ui-id');
    await page.getByTestId('security-key').fill('a0a1');
    await page.getByTestId('security-save').click();
    await table.locator('tr', { hasText: 'bs-ui-id' }).waitFor();
    expect((await app.context.bootstrapSecurity?.getByEndpoint('bs-ui'))?.psk?.identity).toBe('bs-ui-id');
    expect(await app.context.security.getByEndpoint('bs-ui')).toBeUndefined();
    await page.getByTestId('security-remove-bs-ui').click();
    await table.locator('tr', { hasText: 'bs-ui-id' }).waitFor({ state: 'detached' });
    expect(await app.context.bootstrapSecurity?.getByEndpoint('bs-ui')).toBeUndefined();
  });

  it('adds a bootstrap configuration on the bootstrap page', async () => {
    await page.goto(`${app.httpUrl}/bootstrap`);
    await page.getByTestId('bs-endpoint').fill('factory-dev');
    await page.getByTestId('bs-save').click();
    await page.getByTestId('bootstrap-table').locator('tr', { hasText: 'factory-dev' }).waitFor();
    const config = await app.context.bootstrapConfigs.get('factory-dev');
    expect(config?.servers?.[0]).toMatchObject({ shortServerId: 1, lifetime: 300, binding: 'U' });
    await page.screenshot({ path: artifactPath('bootstrap.png') });
  });
});
