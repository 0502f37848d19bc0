import { CoapCode, ContentFormat, parseLinkFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../../test/helpers';
import { Router } from './router';
import { routerLinks } from './well-known-core';

describe('/.well-known/core', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const router = () =>
    new Router()
      .get('/sensors/temp', () => ({ payload: '1' }), {
        rt: 'temperature-c',
        if: 'sensor',
        ct: 0,
        title: 'Temp',
        observable: true,
      })
      .get('/sensors/light', () => ({ payload: '2' }), { rt: ['light-lux', 'core.s'], sz: 12, ct: [0, 60] })
      .get('/hidden', () => ({}), { hidden: true })
      .get('/rd/:id', () => ({}))
      .add('/fw', { put: () => ({}), extra: { 'custom-attr': 'v', flag: true } });

  it('lists static, visible routes with attributes', () => {
    const links = routerLinks(router());
    expect(links.map((l) => l.href)).toEqual(['/sensors/temp', '/sensors/light', '/fw']);
    const temp = links[0]!;
    expect(temp.attributes).toEqual([
      { name: 'rt', value: 'temperature-c', quoted: true },
      { name: 'if', value: 'sensor', quoted: true },
      { name: 'ct', value: '0' },
      { name: 'obs', value: true },
      { name: 'title', value: 'Temp', quoted: true },
    ]);
  });

  it('is served with content format 40 and filtered by query', async () => {
    const { client, serverPeer } = createPair({ server: { router: router() } });
    const all = await client.request({ method: 'GET', peer: serverPeer, path: '/.well-known/core' });
    expect(all.code).toBe(CoapCode.CONTENT);
    expect(all.contentFormat).toBe(ContentFormat.LINK_FORMAT);
    const text = all.text();
    expect(text).toContain('</sensors/temp>;rt="temperature-c";if="sensor";ct=0;obs;title="Temp"');
    expect(text).toContain('</sensors/light>;rt="light-lux core.s";ct="0 60";sz=12');
    expect(parseLinkFormat(text)).toHaveLength(3);
    const byRt = await client.request({
      method: 'GET',
      peer: serverPeer,
      path: '/.well-known/core',
      query: 'rt=light*',
    });
    expect(parseLinkFormat(byRt.text()).map((l) => l.href)).toEqual(['/sensors/light']);
    const obs = await client.request({ method: 'GET', peer: serverPeer, path: '/.well-known/core', query: 'obs' });
    expect(parseLinkFormat(obs.text()).map((l) => l.href)).toEqual(['/sensors/temp']);
    const href = await client.request({
      method: 'GET',
      peer: serverPeer,
      path: '/.well-known/core',
      query: 'href=/sensors*',
    });
    expect(parseLinkFormat(href.text())).toHaveLength(2);
  });

  it('a user route at /.well-known/core wins', async () => {
    const r = new Router().get('/.well-known/core', () => ({ payload: '<custom>' }));
    const { client, serverPeer } = createPair({ server: { router: r } });
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/.well-known/core' })).text()).toBe(
      '<custom>',
    );
  });

  it('a catch-all pattern does not hide the generated /.well-known/core', async () => {
    const r = new Router().get('/a', () => ({}), { rt: 'x' }).get('/*', () => ({ payload: 'catch-all' }));
    const { client, serverPeer } = createPair({ server: { router: r } });
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/.well-known/core' })).text()).toBe(
      '</a>;rt="x"',
    );
    expect((await client.request({ method: 'GET', peer: serverPeer, path: '/b/c' })).text()).toBe('catch-all');
  });
});
