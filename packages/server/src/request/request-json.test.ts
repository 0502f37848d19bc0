import { LwM2mObject, LwM2mPath, LwM2mValue, nodesEqual, ObjectInstance, Resource } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import type { DownlinkRequest } from './downlink-requests';
import { RequestJsonError, requestFromJson, requestToJson } from './request-json';

const instance = ObjectInstance.of(0, [
  Resource.single(0, LwM2mValue.string('Acme')),
  Resource.single(1, LwM2mValue.integer(2n ** 60n)),
  Resource.single(2, LwM2mValue.opaque(new Uint8Array([0, 255, 7]))),
  Resource.single(3, LwM2mValue.objlnk(3, 0)),
  Resource.single(4, LwM2mValue.float(1.5)),
  Resource.multiple(6, 'unsigned', [
    [0, LwM2mValue.unsigned(5)],
    [3, LwM2mValue.unsigned(9)],
  ]),
]);

describe('request JSON', () => {
  it('round-trips every request shape through JSON text', () => {
    const requests: DownlinkRequest[] = [
      { kind: 'read', path: LwM2mPath.of(3, 0), format: 11542 },
      { kind: 'write', path: LwM2mPath.of(3, 0), mode: 'update', node: instance },
      { kind: 'create', path: LwM2mPath.of(3), instances: [instance], clientChoosesId: false },
      { kind: 'execute', path: LwM2mPath.of(3, 0, 4), arguments: [{ id: 0, value: 'x' }] },
      { kind: 'write-attributes', path: LwM2mPath.of(3), attributes: { pmin: 1, gt: null } },
      { kind: 'read-composite', paths: [LwM2mPath.of(3, 0, 0), LwM2mPath.of(1)] },
      { kind: 'write-composite', nodes: new Map([['/3/0/0', Resource.single(0, LwM2mValue.string('z'))]]) },
    ];
    for (const request of requests) {
      const back = requestFromJson(JSON.parse(JSON.stringify(requestToJson(request))));
      expect(back.kind).toBe(request.kind);
      if ('path' in request) expect(String((back as { path: LwM2mPath }).path)).toBe(String(request.path));
      if (request.kind === 'write') expect(nodesEqual((back as typeof request).node, instance)).toBe(true);
      if (request.kind === 'create') expect(nodesEqual((back as typeof request).instances[0]!, instance)).toBe(true);
      if (request.kind === 'read-composite')
        expect((back as typeof request).paths.map(String)).toEqual(['/3/0/0', '/1']);
      if (request.kind === 'write-composite') expect([...(back as typeof request).nodes.keys()]).toEqual(['/3/0/0']);
      if (request.kind === 'write-attributes')
        expect((back as typeof request).attributes).toEqual({ pmin: 1, gt: null });
    }
    const object = LwM2mObject.of(3, [instance]);
    const write = { kind: 'bootstrap-write', path: LwM2mPath.of(3), node: object } as const;
    expect(nodesEqual((requestFromJson(requestToJson(write)) as typeof write).node, object)).toBe(true);
  });

  it('rejects what is not a request', () => {
    expect(() => requestFromJson([1])).toThrow(RequestJsonError);
    expect(() => requestFromJson({ kind: 'write', path: '/3/0', node: { k: 'zz', id: 1 } })).toThrow(
      'unknown node kind',
    );
  });
});
