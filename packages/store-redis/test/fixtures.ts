/** Values for the behaviour suites, with every optional field and every awkward type filled in. */

import { LwM2mPath, LwM2mValue, ObjectInstance, Resource } from '@lwm2m-ts/objects';
import type { ObservationInfo, QueuedRequest, Registration, SecurityInfo } from '@lwm2m-ts/server';

export const T0 = 1_700_000_000_000;

export function registration(overrides: Partial<Registration> & { id: string; endpoint: string }): Registration {
  return {
    lifetime: 300,
    lwm2mVersion: '1.1',
    binding: 'UQ',
    queueMode: true,
    smsNumber: '+33612345678',
    peer: {
      address: '2001:db8::1',
      port: 5684,
      key: `2001:db8::1|5684|${overrides.id}`,
      identity: { kind: 'rpk', publicKey: new Uint8Array([4, 0, 255, 128, 7]) },
    },
    objectLinks: '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</$weird>;title="a \\"q\\""',
    registeredAt: T0,
    lastUpdate: T0,
    additionalAttributes: { $b: 'not a tag', 'x-tenant': 'acme', empty: '' },
    ...overrides,
  };
}

export function observation(
  overrides: Partial<ObservationInfo> & { id: string; registrationId: string },
): ObservationInfo {
  return {
    endpoint: 'ep-obs',
    kind: 'composite',
    paths: ['/3/0/13', '/3303/0/5700'],
    format: 112,
    requestFormat: 110,
    createdAt: T0,
    ...overrides,
  };
}

export function securityInfo(endpoint: string, pskIdentity?: string): SecurityInfo {
  return {
    endpoint,
    ...(pskIdentity !== undefined ? { psk: { identity: pskIdentity, key: new Uint8Array([0, 1, 2, 250]) } } : {}),
    rpk: { publicKey: new Uint8Array([4, 9, 9]) },
    x509: 'CN=dev,O=Acme',
    oscore: {
      recipientId: new TextEncoder().encode(`r-${endpoint}`),
      senderId: new Uint8Array([1]),
      masterSecret: new Uint8Array(16).fill(7),
      masterSalt: new Uint8Array([9, 9]),
      idContext: new Uint8Array(0),
      aeadAlgorithm: 10,
      hkdfAlgorithm: -10,
    },
  };
}

export function queued(overrides: Partial<QueuedRequest> & { id: string; endpoint: string }): QueuedRequest {
  return {
    request: {
      kind: 'write',
      path: LwM2mPath.parse('/3/0'),
      mode: 'replace',
      node: ObjectInstance.of(0, [
        Resource.single(14, LwM2mValue.of('string', '+01')),
        Resource.single(0, LwM2mValue.of('unsigned', 18446744073709551615n)),
        Resource.single(1, LwM2mValue.opaque(new Uint8Array([0, 255, 3]))),
      ]),
      format: 112,
    },
    enqueuedAt: T0,
    expiresAt: T0 + 60_000,
    timeoutMs: 5000,
    ...overrides,
  };
}
