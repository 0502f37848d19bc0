/**
 * "Simulate a device in this tab": chromium registers itself as an LwM2M device over
 * CoAP/WebSockets; the server reads, writes and observes it through the REST API, and it leaves
 * on Deregister and when the page goes away. Ports 27300-27309.
 */
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src/events/api-event';
import type { ServerApp } from '../../src/index';
import { api, startTestApp } from '../app-harness';
import { artifactPath, buildUi, chromiumAvailable, launchChromium } from './browser-harness';

const available = chromiumAvailable();
const POLL = { timeout: 10_000 };
const EP = 'browser-e2e';

describe.skipIf(!available)('device in a browser tab (chromium, CoAP over WebSockets)', () => {
  let app: ServerApp;
  let browser: Browser;
  let page: Page;
  let clients: Page;
  let ui: { dir: string; remove: () => void };
  const events: ApiEvent[] = [];

  beforeAll(async () => {
    ui = await buildUi();
    app = await startApp();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    clients = await browser.newPage({ viewport: { width: 1360, height: 700 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    ui?.remove();
  });

  /** The app on fixed ports (a restart keeps them), with this test's endpoint's events recorded. */
  async function startApp(): Promise<ServerApp> {
    const started = await startTestApp({
      uiDir: ui.dir,
      coapOverWebSockets: true,
      httpPort: 27300,
      coapPort: 27301,
      bootstrap: false,
      coaps: false,
    });
    started.context.hub.subscribe({ endpoint: EP }, (event) => events.push(event));
    return started;
  }

  const state = () => page.getByTestId('device-state').getAttribute('data-state');
  const operation = (kind: string, path: string) =>
    page.locator(`[data-testid="device-operations"] tr[data-kind="${kind}"][data-path="${path}"]`);

  it('registers the tab from the page, and the server lists it as a coap+ws client', async () => {
    await page.goto(`${app.httpUrl}/device-tab`);
    await page.getByRole('heading', { name: 'Simulate a device in this tab' }).waitFor();
    expect(await page.getByTestId('device-endpoint').inputValue()).toMatch(/^browser-[0-9a-f]{6}$/);
    await page.getByTestId('device-endpoint').fill(EP);
    await page.getByTestId('device-lifetime').fill('120');
    await page.getByTestId('device-register').click();
    await expect.poll(state, POLL).toBe('registered');

    const listed = await api(app, 'GET', '/api/clients');
    expect(listed.json.items.map((c: { endpoint: string }) => c.endpoint)).toContain(EP);
    const one = await api(app, 'GET', `/api/clients/${EP}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ endpoint: EP, lifetime: 120, transport: 'coap+ws' });
    expect(JSON.stringify(one.json)).toContain('3303');
    expect(JSON.stringify(one.json)).toContain('3311');

    // The clients table, in a second tab (leaving this page would de-register the device).
    await clients.goto(app.httpUrl);
    await clients.locator(`[data-testid="clients-table"] tr[data-endpoint="${EP}"]`).waitFor(POLL);
  });

  it('answers a REST read of its temperature and its browser identity', async () => {
    const read = await api(app, 'GET', `/api/clients/${EP}/3303/0/5700`);
    expect(read.status).toBe(200);
    expect(read.json.content.value).toBe(21.5);
    await expect.poll(() => operation('read', '/3303/0/5700').textContent(), POLL).toContain('2.05');

    const manufacturer = await api(app, 'GET', `/api/clients/${EP}/3/0/0`);
    expect(manufacturer.json.content.value).toBe('Google');
    const model = await api(app, 'GET', `/api/clients/${EP}/3/0/1`);
    expect(model.json.content.value).toMatch(/^(Headless )?Chrome \d+ on Linux$/);
  });

  it('shows a REST write of its light on the page', async () => {
    const lamp = page.getByTestId('light-state');
    expect(await lamp.getAttribute('data-on')).toBe('false');
    const on = await api(app, 'PUT', `/api/clients/${EP}/3311/0/5850`, 'true');
    expect(on.status).toBe(200);
    await expect.poll(() => lamp.getAttribute('data-on'), POLL).toBe('true');
    const dim = await api(app, 'PUT', `/api/clients/${EP}/3311/0/5851`, '40');
    expect(dim.status).toBe(200);
    await expect.poll(() => page.getByTestId('light-dimmer').textContent(), POLL).toContain('40 %');
    await expect.poll(() => operation('write', '/3311/0/5850').textContent(), POLL).toContain('2.04');
    const back = await api(app, 'GET', `/api/clients/${EP}/3311/0/5850`);
    expect(back.json.content.value).toBe(true);
  });

  it('executes the Registration Update Trigger: the tab sends an Update', async () => {
    const execute = await api(app, 'POST', `/api/clients/${EP}/1/0/8`, '');
    expect(execute.status).toBe(200);
    await expect.poll(() => page.getByTestId('device-updates').textContent(), POLL).toBe('1');
    await expect.poll(() => operation('execute', '/1/0/8').textContent(), POLL).toContain('2.04');
    await expect.poll(() => events.some((e) => e.type === 'updated'), POLL).toBe(true);
  });

  it('sends a notification when the slider moves under an observation', async () => {
    const observed = await api(app, 'POST', `/api/clients/${EP}/3303/0/5700/observe`);
    expect(observed.status).toBe(200);
    expect(observed.json.content.value).toBe(21.5);
    await expect.poll(() => operation('observe', '/3303/0/5700').textContent(), POLL).toContain('2.05');

    const slider = page.getByTestId('temperature-slider');
    await slider.focus();
    for (let i = 0; i < 3; i++) await slider.press('ArrowRight');
    await expect.poll(() => page.getByTestId('temperature-value').textContent(), POLL).toBe('23.0 °C');
    await expect
      .poll(
        () =>
          events.some(
            (e) =>
              e.type === 'notification' &&
              e.paths.includes('/3303/0/5700') &&
              e.content !== undefined &&
              'value' in e.content &&
              e.content.value === 23,
          ),
        POLL,
      )
      .toBe(true);
    await expect
      .poll(
        async () =>
          Number(await operation('observe', '/3303/0/5700').getByTestId('operation-notifications').textContent()),
        POLL,
      )
      .toBeGreaterThanOrEqual(1);

    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: artifactPath('device-tab.png') });
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1')
      copyFileSync(
        artifactPath('device-tab.png'),
        fileURLToPath(new URL('../../../../docs/device-tab.png', import.meta.url)),
      );
  });

  it('registers again at once when the server restarts (the WebSocket closed)', async () => {
    await app.close();
    app = await startApp();
    // The page is already loaded: its device notices the closed connection, its Update gets 4.04
    // from the new server, and it registers again.
    await expect.poll(async () => (await api(app, 'GET', `/api/clients/${EP}`)).status, POLL).toBe(200);
    await expect.poll(state, POLL).toBe('registered');
    await expect.poll(() => page.getByTestId('device-error').count(), POLL).toBe(0);
    const read = await api(app, 'GET', `/api/clients/${EP}/3303/0/5700`);
    expect(read.json.content.value).toBe(23);
    await clients.reload();
    await clients.locator(`[data-testid="clients-table"] tr[data-endpoint="${EP}"]`).waitFor(POLL);
  });

  it('leaves the clients table on Deregister', async () => {
    await page.getByTestId('device-deregister').click();
    await expect.poll(state, POLL).toBe('deregistered');
    expect((await api(app, 'GET', `/api/clients/${EP}`)).status).toBe(404);
    expect(events.some((e) => e.type === 'deregistered')).toBe(true);
    await clients.locator(`tr[data-endpoint="${EP}"]`).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('de-registers when the page goes away', async () => {
    // The form unlocks after Deregister: register again, then leave the page.
    await page.getByTestId('device-register').click();
    await expect.poll(state, POLL).toBe('registered');
    await clients.locator(`tr[data-endpoint="${EP}"]`).waitFor(POLL);
    const deregistered = events.filter((e) => e.type === 'deregistered').length;
    await page.goto('about:blank');
    await expect.poll(() => events.filter((e) => e.type === 'deregistered').length, POLL).toBe(deregistered + 1);
    // The device's own De-register (CoAP DELETE), not the server noticing a closed WebSocket.
    expect(events.at(-1)).toMatchObject({ type: 'deregistered', reason: 'deregistered' });
    expect((await api(app, 'GET', `/api/clients/${EP}`)).status).toBe(404);
    await clients.locator(`tr[data-endpoint="${EP}"]`).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('says how to turn CoAP over WebSockets on when the server does not serve it', async () => {
    const plain = await startTestApp({
      uiDir: ui.dir,
      httpPort: 27305,
      coapPort: 27306,
      bootstrap: false,
      coaps: false,
    });
    const tab = await browser.newPage();
    try {
      await tab.goto(`${plain.httpUrl}/device-tab`);
      await expect.poll(() => tab.getByTestId('device-no-websockets').textContent(), POLL).toContain('--coap-ws');
      expect(await tab.getByTestId('device-register').isDisabled()).toBe(true);
    } finally {
      await tab.close();
      await plain.close();
    }
  });

  it('de-registers when the tab is closed', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${app.httpUrl}/device-tab`);
    await tab.getByTestId('device-endpoint').fill(`${EP}-closed`);
    await tab.getByTestId('device-register').click();
    await expect.poll(() => tab.getByTestId('device-state').getAttribute('data-state'), POLL).toBe('registered');
    expect((await api(app, 'GET', `/api/clients/${EP}-closed`)).status).toBe(200);
    await tab.close();
    await expect.poll(async () => (await api(app, 'GET', `/api/clients/${EP}-closed`)).status, POLL).toBe(404);
  });
});
