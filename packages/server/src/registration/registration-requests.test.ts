import { describe, expect, it } from 'vitest';
import { parseRegisterRequest, parseUpdateRequest } from './registration-requests';

describe('parseRegisterRequest', () => {
  it('reads every LwM2M 1.1 parameter and keeps unknown ones', () => {
    const r = parseRegisterRequest(['ep=dev1', 'lt=300', 'lwm2m=1.1', 'b=UT', 'sms=+123', 'Q', 'x=y'], '</3/0>');
    expect(r).toEqual({
      ok: true,
      value: {
        endpoint: 'dev1',
        lifetime: 300,
        lwm2mVersion: '1.1',
        binding: 'UT',
        queueMode: true,
        smsNumber: '+123',
        objectLinks: '</3/0>',
        additionalAttributes: { x: 'y' },
      },
    });
  });

  it('applies spec defaults (lt 86400, lwm2m 1.0, b U) and 1.0 queue binding UQ', () => {
    const r = parseRegisterRequest(['ep=a'], '');
    expect(r.ok && r.value).toMatchObject({ lifetime: 86400, lwm2mVersion: '1.0', binding: 'U', queueMode: false });
    const q = parseRegisterRequest(['ep=a', 'b=UQ'], '');
    expect(q.ok && q.value.queueMode).toBe(true);
  });

  it.each([
    [['lt=30'], '4.00', 'missing endpoint client name'],
    [['ep='], '4.00', 'missing endpoint client name'],
    [['ep=a', 'lt=0'], '4.00', 'outside'],
    [['ep=a', 'lt=-5'], '4.00', 'whole number'],
    [['ep=a', 'lt=1.5'], '4.00', 'whole number'],
    [['ep=a', 'lt=99999999999999'], '4.00', 'whole number'],
    [['ep=a', 'lt=9999999999'], '4.00', 'outside'],
    [['ep=a', 'lt=abc'], '4.00', 'whole number'],
    [['ep=a', 'b=X'], '4.00', 'binding'],
    [['ep=a', 'b=UU'], '4.00', 'binding'],
    [['ep=a', 'ep=b'], '4.00', 'more than once'],
    [['ep=a', 'lwm2m=2.0'], '4.12', 'not supported'],
    [['ep=a', 'Q=1'], '4.00', 'takes no value'],
    [[`ep=${'x'.repeat(256)}`], '4.00', 'longer than 255'],
  ])('rejects %j with %s', (query, code, diagnostic) => {
    const r = parseRegisterRequest(query, '');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.diagnostic).toContain(diagnostic);
    }
  });
});

describe('parseUpdateRequest', () => {
  it('takes optional lt, b, Q and links', () => {
    expect(parseUpdateRequest('id1', [], undefined)).toEqual({ ok: true, value: { registrationId: 'id1' } });
    const r = parseUpdateRequest('id1', ['lt=60', 'b=U', 'Q'], '</3/0>');
    expect(r.ok && r.value).toEqual({
      registrationId: 'id1',
      lifetime: 60,
      binding: 'U',
      queueMode: true,
      objectLinks: '</3/0>',
    });
  });
  it('rejects ep / lwm2m changes and a bad lifetime', () => {
    expect(parseUpdateRequest('i', ['ep=x'], undefined).ok).toBe(false);
    expect(parseUpdateRequest('i', ['lt=0'], undefined).ok).toBe(false);
  });
});
