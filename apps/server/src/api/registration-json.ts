/** A registration as the REST API shows it. */
import { type Registration, registrationExpiresAt, registrationLinks } from '@lwm2m-ts/server';
import type { RegistrationJson } from './registration-json-shape';

export type { RegistrationJson } from './registration-json-shape';

export function registrationToJson(
  registration: Registration,
  sleeping: boolean,
  transport?: string,
): RegistrationJson {
  let links: ReturnType<typeof registrationLinks> | undefined;
  try {
    links = registrationLinks(registration);
  } catch {
    links = undefined; // validated on registration; kept defensive for stores filled by others
  }
  const identity = registration.peer.identity;
  return {
    endpoint: registration.endpoint,
    registrationId: registration.id,
    address: registration.peer.address,
    port: registration.peer.port,
    lifetime: registration.lifetime,
    lwm2mVersion: registration.lwm2mVersion,
    binding: registration.binding,
    queueMode: registration.queueMode,
    sleeping,
    secured: identity !== undefined,
    ...(identity ? { securityMode: identity.kind } : {}),
    ...(transport ? { transport } : {}),
    ...(registration.smsNumber !== undefined ? { smsNumber: registration.smsNumber } : {}),
    registeredAt: new Date(registration.registeredAt).toISOString(),
    lastUpdate: new Date(registration.lastUpdate).toISOString(),
    expiresAt: new Date(registrationExpiresAt(registration)).toISOString(),
    rootPath: links?.rootPath ?? '/',
    contentFormats: [...(links?.contentFormats ?? [])],
    objects: [...(links?.objects ?? new Map())].map(([id, o]) => ({
      id,
      version: o.version,
      instances: [...o.instances],
    })),
    objectLinks: registration.objectLinks,
    additionalAttributes: { ...(registration.additionalAttributes ?? {}) },
  };
}

export const registrationJsonSchema = {
  type: 'object',
  properties: {
    endpoint: { type: 'string' },
    registrationId: { type: 'string' },
    address: { type: 'string' },
    port: { type: 'integer' },
    lifetime: { type: 'integer' },
    lwm2mVersion: { type: 'string' },
    binding: { type: 'string' },
    queueMode: { type: 'boolean' },
    sleeping: { type: 'boolean' },
    secured: { type: 'boolean' },
    securityMode: { type: 'string' },
    transport: { type: 'string' },
    smsNumber: { type: 'string' },
    registeredAt: { type: 'string', format: 'date-time' },
    lastUpdate: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    rootPath: { type: 'string' },
    contentFormats: { type: 'array', items: { type: 'integer' } },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          version: { type: 'string' },
          instances: { type: 'array', items: { type: 'integer' } },
        },
      },
    },
    objectLinks: { type: 'string' },
    additionalAttributes: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;
