import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, type ServerApp } from '../src/index';
import { api, startTestApp } from './app-harness';

const DDF = `<?xml version="1.0" encoding="utf-8"?>
<LWM2M><Object ObjectType="MODefinition">
  <Name>Vendor Gauge</Name><Description1>A test object</Description1><ObjectID>33001</ObjectID>
  <ObjectURN>urn:oma:lwm2m:x:33001</ObjectURN><LWM2MVersion>1.1</LWM2MVersion><ObjectVersion>1.0</ObjectVersion>
  <MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>
  <Resources>
    <Item ID="1"><Name>Level</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
      <Mandatory>Mandatory</Mandatory><Type>Float</Type><RangeEnumeration>0..100</RangeEnumeration><Units>%</Units><Description>level</Description></Item>
  </Resources><Description2></Description2>
</Object></LWM2M>`;

let app: ServerApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('object models', () => {
  it('lists the embedded models and shows one with its resources', async () => {
    const list = await api(app, 'GET', '/api/models');
    expect(list.status).toBe(200);
    expect(list.json.some((m: { id: number; name: string }) => m.id === 3 && m.name === 'Device')).toBe(true);
    const device = await api(app, 'GET', '/api/models/3?version=1.1');
    expect(device.json).toMatchObject({ id: 3, version: '1.1', name: 'Device' });
    expect(device.json.resources.find((r: { id: number }) => r.id === 4)).toMatchObject({
      name: 'Reboot',
      operations: 'E',
    });
    expect((await api(app, 'GET', '/api/models?search=temperature')).json.map((m: { id: number }) => m.id)).toContain(
      3303,
    );
    expect((await api(app, 'GET', '/api/models/65000')).status).toBe(404);
    expect((await api(app, 'GET', '/api/models/3?version=x')).status).toBe(400);
  });

  it('loads a --models folder on top of the embedded models', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwm2m-models-'));
    writeFileSync(join(dir, 'gauge.xml'), DDF);
    const withModels = await startTestApp({ modelsDir: dir });
    try {
      expect((await api(withModels, 'GET', '/api/models/33001')).json).toMatchObject({ name: 'Vendor Gauge' });
      expect((await api(withModels, 'GET', '/api/models/3')).status).toBe(200);
    } finally {
      await withModels.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts an uploaded DDF and rejects a malformed one', async () => {
    const added = await api(app, 'POST', '/api/models', DDF, { 'content-type': 'application/xml' });
    expect(added.status, added.text).toBe(201);
    expect(added.json).toEqual([expect.objectContaining({ id: 33001, name: 'Vendor Gauge' })]);
    const model = await api(app, 'GET', '/api/models/33001');
    expect(model.json.resources[0]).toMatchObject({ name: 'Level', type: 'float', units: '%', range: '0..100' });
    const bad = await api(app, 'POST', '/api/models', '<LWM2M><Object><Name>x</Name></Object></LWM2M>', {
      'content-type': 'application/xml',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toEqual(expect.any(String));
    expect((await api(app, 'POST', '/api/models', '<nothing/>', { 'content-type': 'application/xml' })).status).toBe(
      400,
    );
  });
});

describe('security', () => {
  it('adds, lists (without secrets), replaces and removes credentials', async () => {
    const put = await api(app, 'PUT', '/api/security/clients/dev1', { psk: { identity: 'dev1-id', key: '00112233' } });
    expect(put.status).toBe(201);
    expect(put.json).toEqual({ endpoint: 'dev1', psk: { identity: 'dev1-id' } });
    expect(
      (await api(app, 'PUT', '/api/security/clients/dev1', { psk: { identity: 'dev1-id', key: 'aabb' } })).status,
    ).toBe(200);
    expect((await api(app, 'PUT', '/api/security/clients/dev2', { x509: {} })).json).toEqual({
      endpoint: 'dev2',
      x509: { commonNameIsEndpoint: true },
    });
    expect((await api(app, 'PUT', '/api/security/clients/dev3', { rpk: { publicKey: 'ab01' } })).status).toBe(400);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    const point = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
    const rpk = await api(app, 'PUT', '/api/security/clients/dev3', { rpk: { publicKey: spki } });
    expect(rpk.status).toBe(201);
    expect(rpk.json.rpk.publicKey).toBe(spki);
    // An uncompressed point (04 || x || y) is stored as the same SubjectPublicKeyInfo.
    const jwk = publicKey.export({ format: 'jwk' });
    const raw = `04${point}${Buffer.from(jwk.y!, 'base64url').toString('hex')}`;
    expect((await api(app, 'PUT', '/api/security/clients/dev3', { rpk: { publicKey: raw } })).json.rpk.publicKey).toBe(
      spki,
    );
    const list = await api(app, 'GET', '/api/security/clients');
    expect(list.json.map((s: { endpoint: string }) => s.endpoint)).toEqual(['dev1', 'dev2', 'dev3']);
    expect(list.text).not.toContain('aabb');
    expect((await api(app, 'GET', '/api/security/clients/dev1')).json.psk.identity).toBe('dev1-id');
    expect((await api(app, 'DELETE', '/api/security/clients/dev3')).status).toBe(204);
    expect((await api(app, 'DELETE', '/api/security/clients/dev3')).status).toBe(404);
    expect((await api(app, 'GET', '/api/security/clients/dev3')).status).toBe(404);
  });

  it('rejects bad credentials and a PSK identity used by another endpoint', async () => {
    expect((await api(app, 'PUT', '/api/security/clients/x', {})).status).toBe(400);
    expect((await api(app, 'PUT', '/api/security/clients/x', { psk: { identity: 'i', key: 'zz' } })).status).toBe(400);
    expect((await api(app, 'PUT', '/api/security/clients/x', { psk: { identity: 'i' } })).status).toBe(400);
    const conflict = await api(app, 'PUT', '/api/security/clients/other', { psk: { identity: 'dev1-id', key: '01' } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toContain('dev1');
  });

  it('keeps bootstrap credentials apart from the LwM2M server ones', async () => {
    const put = await api(app, 'PUT', '/api/security/bootstrap/bs-dev', {
      psk: { identity: 'bs-dev-id', key: '0102' },
    });
    expect(put.status, put.text).toBe(201);
    expect((await api(app, 'GET', '/api/security/bootstrap')).json).toEqual([
      { endpoint: 'bs-dev', psk: { identity: 'bs-dev-id' } },
    ]);
    expect((await api(app, 'GET', '/api/security/clients/bs-dev')).status).toBe(404);
    expect((await app.context.bootstrapSecurity?.getByPskIdentity('bs-dev-id'))?.endpoint).toBe('bs-dev');
    expect((await api(app, 'DELETE', '/api/security/bootstrap/bs-dev')).status).toBe(204);
    expect((await api(app, 'GET', '/api/security/bootstrap/bs-dev')).status).toBe(404);
  });

  it('keeps the key bytes for the transports to look up', async () => {
    const store = app.context.security;
    const info = await store.getByEndpoint('dev1');
    expect(info?.psk?.key).toEqual(new Uint8Array([0xaa, 0xbb]));
  });
});

describe('bootstrap configurations', () => {
  const config = {
    security: {
      0: { uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 3, shortServerId: 1 },
      1: {
        uri: 'coaps://127.0.0.1:5684',
        bootstrapServer: false,
        securityMode: 0,
        shortServerId: 2,
        publicKeyOrIdentity: '6964',
        secretKey: '0102',
      },
    },
    servers: {
      0: { shortServerId: 1, lifetime: 300, binding: 'U', notificationStoring: true },
      1: { shortServerId: 2, lifetime: 300, binding: 'U', notificationStoring: true },
    },
  };

  it('adds, shows (secret keys left out), lists and removes', async () => {
    const put = await api(app, 'PUT', '/api/bootstrap/bs-dev', config);
    expect(put.status, put.text).toBe(201);
    expect(put.json.security['1']).toMatchObject({ publicKeyOrIdentity: '6964' });
    expect(put.json.security['1'].secretKey).toBeUndefined();
    const stored = await app.context.bootstrapConfigs.get('bs-dev');
    expect(stored?.security?.[1]?.secretKey).toEqual(new Uint8Array([1, 2]));
    expect((await api(app, 'PUT', '/api/bootstrap/bs-dev', config)).status).toBe(200);
    expect((await api(app, 'GET', '/api/bootstrap')).json).toEqual([expect.objectContaining({ endpoint: 'bs-dev' })]);
    expect((await api(app, 'GET', '/api/bootstrap/bs-dev')).json.servers['0'].lifetime).toBe(300);
    expect((await api(app, 'DELETE', '/api/bootstrap/bs-dev')).status).toBe(204);
    expect((await api(app, 'GET', '/api/bootstrap/bs-dev')).status).toBe(404);
    expect((await api(app, 'DELETE', '/api/bootstrap/bs-dev')).status).toBe(404);
  });

  it('rejects an invalid configuration with the reason', async () => {
    const bad = await api(app, 'PUT', '/api/bootstrap/bad', {
      servers: { 0: { shortServerId: 0, lifetime: 300, binding: 'U', notificationStoring: true } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/short server id/);
    expect((await api(app, 'PUT', '/api/bootstrap/bad', { unknown: 1 })).status).toBe(400);
    expect(
      (await api(app, 'PUT', '/api/bootstrap/bad', { security: { 0: { ...config.security[1], secretKey: 'xyz' } } }))
        .status,
    ).toBe(400);
  });
});

describe('server info', () => {
  it('tells the version and where devices reach the server', async () => {
    const { json } = await api(app, 'GET', '/api/server');
    expect(json).toMatchObject({
      coap: { udpPort: app.coapPort, dtlsPort: app.coapsPort, webSockets: false },
      bootstrapPort: app.bsPort,
      bootstrapCoapsPort: app.bsCoapsPort,
      clients: 0,
    });
  });
});

describe('OpenAPI', () => {
  it('documents every API route with its parameters', async () => {
    const { json } = await api(app, 'GET', '/api/openapi.json');
    expect(json.openapi).toBe('3.1.0');
    const paths = Object.keys(json.paths);
    for (const p of [
      '/api/clients',
      '/api/clients/{endpoint}',
      '/api/clients/{endpoint}/{path}',
      '/api/clients/{endpoint}/{path}/observe',
      '/api/clients/{endpoint}/{path}/discover',
      '/api/clients/{endpoint}/{path}/attributes',
      '/api/clients/{endpoint}/composite/read',
      '/api/clients/{endpoint}/queue',
      '/api/models',
      '/api/security/clients/{endpoint}',
      '/api/bootstrap/{endpoint}',
      '/api/events',
    ]) {
      expect(paths, p).toContain(p);
    }
    const op = json.paths['/api/clients/{endpoint}/{path}'];
    expect(Object.keys(op).sort()).toEqual(['delete', 'get', 'post', 'put']);
    expect(op.get.parameters.map((p: { name: string }) => p.name)).toEqual(['endpoint', 'path', 'format', 'timeout']);
    expect(op.put.requestBody.content['text/plain'].schema.type).toBe('string');
    expect(
      json.paths['/api/clients'].get.responses['200'].content['application/json'].schema.properties.items,
    ).toBeDefined();
    const page = await api(app, 'GET', '/api/docs');
    expect(page.text).toContain('/api/openapi.json');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const r = await api(app, 'GET', '/api/nothing');
    expect(r.status).toBe(404);
    expect(r.json.error).toBe('not-found');
  });
});

describe('API token', () => {
  it('refuses to serve a non-loopback host without a token', async () => {
    await expect(startTestApp({ httpHost: '0.0.0.0' })).rejects.toThrow(ConfigurationError);
    await expect(startTestApp({ httpHost: '0.0.0.0' })).rejects.toThrow(/--api-token/);
  });

  it('requires the bearer token on every API route but the docs', async () => {
    const secured = await startTestApp({ apiToken: 's3cret' });
    try {
      const denied = await api(secured, 'GET', '/api/clients');
      expect(denied.status).toBe(401);
      expect(denied.json.error).toBe('unauthorized');
      expect((await api(secured, 'GET', '/api/clients', undefined, { authorization: 'Bearer wrong' })).status).toBe(
        401,
      );
      expect((await api(secured, 'GET', '/api/clients', undefined, { authorization: 'Bearer s3cret' })).status).toBe(
        200,
      );
      expect((await api(secured, 'GET', '/api/models?access_token=s3cret')).status).toBe(401);
      const stream = await fetch(`${secured.httpUrl}/api/events?access_token=s3cret`);
      expect(stream.status).toBe(200);
      await stream.body?.cancel();
      expect((await api(secured, 'DELETE', '/api/security/clients/x')).status).toBe(401);
      expect((await api(secured, 'GET', '/api/openapi.json')).json.security).toEqual([{ bearer: [] }]);
      expect((await api(secured, 'GET', '/api/docs')).status).toBe(200);
      const events = await fetch(`${secured.httpUrl}/api/events`);
      expect(events.status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});
