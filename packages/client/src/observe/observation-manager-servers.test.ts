/** The manager knows which servers (and direct-access peers) still observe something, and says when one stops. */
import { makePeer } from '@lwm2m-ts/coap';
import { LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { ObservationManager } from './observation-manager';

function setup() {
  const idle: string[] = [];
  /** Relation keys whose engine relation the manager asked to end. */
  const ended: string[] = [];
  const manager = new ObservationManager({
    clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    attributes: () => ({}),
    read: async () => ({
      kind: 'resource',
      id: 5700,
      multiple: false,
      type: 'float',
      value: { type: 'float', value: 0 },
    }),
    notify: () => 1,
    offline: () => false,
    storesNotifications: () => true,
    serverIdle: (server) => idle.push(server),
    ended: (t) => ended.push(t.key),
  });
  const target = (server: string, key: string, token = 1) => ({
    server,
    key,
    coapPath: '/3303/0/5700',
    paths: [LwM2mPath.parse('/3303/0/5700')],
    peer: makePeer('127.0.0.1', 5683),
    token: new Uint8Array([token]),
  });
  const sample = new Map([['/3303/0/5700', 0]]);
  return { manager, idle, ended, target, sample };
}

describe('ObservationManager per-server relations', () => {
  it('reports a server idle when its last relation ends, not before', () => {
    const { manager, idle, target, sample } = setup();
    manager.sent(target('peer:a', 'k1'), sample);
    manager.sent(target('peer:a', 'k2'), sample);
    manager.sent(target('peer:a', 'k2'), sample); // a notification of the same relation
    expect(manager.observes('peer:a')).toBe(true);
    manager.cancel('k1');
    expect(idle).toStrictEqual([]);
    manager.cancel('k2');
    expect(idle).toStrictEqual(['peer:a']);
    expect(manager.observes('peer:a')).toBe(false);
    manager.cancel('k2');
    expect(idle).toStrictEqual(['peer:a']);
  });

  it('a relation key reused by another observation (new token) keeps the count right', () => {
    const { manager, idle, target, sample } = setup();
    manager.sent(target('peer:a', 'k', 1), sample);
    manager.sent(target('peer:a', 'k', 2), sample);
    expect(manager.observes('peer:a')).toBe(true);
    manager.cancel('k');
    expect(idle).toStrictEqual(['peer:a']);
  });

  it('close reports every observing server idle', () => {
    const { manager, idle, target, sample } = setup();
    manager.sent(target('peer:a', 'k1'), sample);
    manager.sent(target('ssid:1', 'k2'), sample);
    manager.close();
    expect(idle.sort()).toStrictEqual(['peer:a', 'ssid:1']);
    expect(manager.observes('peer:a')).toBe(false);
  });

  it('asks the engine to end each relation the client drops, once, and not one replaced by the engine', () => {
    const { manager, ended, target, sample } = setup();
    manager.sent(target('ssid:1', 'k1'), sample);
    manager.sent(target('ssid:1', 'k2'), sample);
    manager.sent(target('ssid:2', 'k3'), sample);
    // The same key with a new observation: the engine replaced its relation itself.
    manager.sent(target('ssid:2', 'k3', 2), sample);
    expect(ended).toStrictEqual([]);
    manager.cancelServer('ssid:1');
    expect(ended.sort()).toStrictEqual(['k1', 'k2']);
    manager.cancelServer('ssid:1');
    manager.cancel('k1');
    expect(ended).toHaveLength(2);
    manager.cancel('k3', true); // the engine ends it itself (an error notification went out)
    expect(ended).toHaveLength(2);
    manager.sent(target('peer:a', 'k4'), sample);
    manager.close();
    expect(ended).toStrictEqual(['k1', 'k2', 'k4']);
  });
});
