import { CoapCode, OptionRegistry } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair } from '../../test/helpers';
import type { Endpoint } from '../endpoint';
import { DEFAULT_OPTION_CHECKS } from './option-checks';

const EXPERIMENTAL = 65001; // critical (odd), not a standard option
const tableOf = (e: Endpoint) => (e as unknown as { server: { registry: unknown } }).server.registry;

describe('option table', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is one immutable default shared by endpoints built without one', () => {
    const { server, client } = createPair();
    expect(tableOf(server)).toBe(DEFAULT_OPTION_CHECKS);
    expect(tableOf(client)).toBe(DEFAULT_OPTION_CHECKS);
    expect(Object.isFrozen(DEFAULT_OPTION_CHECKS)).toBe(true);
    expect('register' in DEFAULT_OPTION_CHECKS).toBe(false);
    expect(DEFAULT_OPTION_CHECKS.nameOf(11)).toBe('Uri-Path');
    expect(DEFAULT_OPTION_CHECKS.check([{ number: EXPERIMENTAL, value: new Uint8Array(0) }])?.critical).toBe(true);
  });

  it('stays injectable: an endpoint given a registry accepts its options, the others still answer 4.02', async () => {
    const custom = new OptionRegistry().register({
      number: EXPERIMENTAL,
      name: 'Experimental',
      format: 'opaque',
      minLength: 0,
      maxLength: 8,
      repeatable: false,
    });
    const withCustom = createPair({ server: { optionRegistry: custom } });
    const withDefault = createPair();
    for (const pair of [withCustom, withDefault]) pair.server.router.get('/x', () => ({ payload: 'ok' }));
    const ask = (pair: typeof withCustom) =>
      pair.client.request({
        method: 'GET',
        peer: pair.serverPeer,
        path: '/x',
        options: [{ number: EXPERIMENTAL, value: Uint8Array.of(1) }],
      });
    const [a, b] = [ask(withCustom), ask(withDefault)];
    await vi.advanceTimersByTimeAsync(0);
    expect((await a).code).toBe(CoapCode.CONTENT);
    expect((await b).code).toBe(CoapCode.BAD_OPTION);
    expect(tableOf(withCustom.server)).toBe(custom);
  });
});
