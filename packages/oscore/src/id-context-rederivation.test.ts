import { CoapCode, createMessage } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h, bytesToHex as hex } from './bytes';
import { SecurityContextRegistry } from './context-registry';
import { IdContextRederivationClient, IdContextRederivationServer } from './id-context-rederivation';
import { protectRequest, unprotectRequest } from './protect-request';
import { protectResponse, unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const salt = h('9e7ca92223786340');
const counter = (start: number) => {
  let n = start;
  return (len: number) => new Uint8Array(len).fill(n++);
};
const get = createMessage({ code: CoapCode.GET, messageId: 3, token: h('0a') });

function setup() {
  const serverTemplate = { masterSecret: secret, masterSalt: salt, senderId: h('01'), recipientId: h('') };
  const registry = new SecurityContextRegistry();
  // The server's state from before (e.g. lost after a reboot, or an older deployment).
  const old = new SecurityContext({ ...serverTemplate, idContext: h('00000000') });
  registry.add(old);
  const server = new IdContextRederivationServer({ templates: [serverTemplate], registry, random: counter(0x22) });
  const client = new IdContextRederivationClient(
    { masterSecret: secret, masterSalt: salt, senderId: h(''), recipientId: h('01') },
    { random: counter(0x11) },
  );
  return { registry, old, server, client };
}

describe('Appendix B.2 ID Context re-derivation', () => {
  it('runs the full protocol and installs ID3 = R2 || R3 on both sides', () => {
    const { registry, old, server, client } = setup();
    expect([...registry]).toEqual([old]);

    const ctx1 = client.start();
    expect(hex(ctx1.idContext!)).toBe('1111111111111111');
    const req1 = protectRequest(ctx1, get);
    expect(unprotectRequest(registry, req1.message).ok).toBe(false); // no context for ID1

    const step2 = server.handle(req1.message);
    if (step2.kind !== 'challenge') throw new Error(step2.kind);
    expect(server.pendingCount).toBe(1);

    const step3 = client.acceptChallenge(req1.binding, step2.response);
    if (!step3.ok) throw step3.error;
    const ctx3 = step3.context;
    expect(hex(ctx3.idContext!)).toBe(`${'22'.repeat(8)}${'12'.repeat(8)}`);

    const req2 = protectRequest(ctx3, createMessage({ code: CoapCode.GET, token: h('0b') }));
    const step4 = server.handle(req2.message);
    if (step4.kind !== 'established') throw new Error(step4.kind);
    expect(hex(step4.context.idContext!)).toBe(hex(ctx3.idContext!));
    // The client's previous context (same Master Secret, other ID Context) is replaced.
    expect([...registry]).toEqual([step4.context]);
    expect(server.pendingCount).toBe(0);

    const res2 = protectResponse(
      step4.binding,
      createMessage({ code: CoapCode.CONTENT, token: h('0b'), payload: h('6f6b') }),
    );
    const verified = unprotectResponse(req2.binding, res2);
    expect(verified.ok && hex(verified.response.payload)).toBe('6f6b');

    // From now on the installed context serves normal requests, and replays of request #2 fail.
    expect(unprotectRequest(registry, protectRequest(ctx3, get).message).ok).toBe(true);
    const replay = unprotectRequest(registry, req2.message);
    expect(!replay.ok && replay.error.kind).toBe('replay');
  });

  it('a second run replaces the context the first run installed', () => {
    const { registry, old, server, client } = setup();
    const run = () => {
      const ctx1 = client.start();
      const req1 = protectRequest(ctx1, get);
      const c = server.handle(req1.message);
      if (c.kind !== 'challenge') throw new Error(c.kind);
      const a = client.acceptChallenge(req1.binding, c.response);
      if (!a.ok) throw a.error;
      const e = server.handle(protectRequest(a.context, get).message);
      if (e.kind !== 'established') throw new Error(e.kind);
      return e.context;
    };
    // A different client that happens to use the same Recipient ID (other Master Secret) stays.
    const unrelated = new SecurityContext({ masterSecret: h('abcdef'), senderId: h('01'), recipientId: h('') });
    registry.add(unrelated);
    const first = run();
    const second = run();
    expect([...registry]).toEqual([unrelated, second]);
    expect([...registry]).not.toContain(first);
    expect([...registry]).not.toContain(old);
  });

  it('rejects request #1 that does not verify, and request #2 with an R2 never issued', () => {
    const { server, client } = setup();
    const forged = new IdContextRederivationClient({ masterSecret: h('ffff'), senderId: h(''), recipientId: h('01') });
    const bad = server.handle(protectRequest(forged.start(), get).message);
    expect(bad.kind === 'failed' && bad.error.kind).toBe('decryption-failed');
    expect(server.pendingCount).toBe(0);
    // Looks like request #2 but its prefix was never sent as R2: treated as a new request #1.
    const ctx = client.start();
    const r = server.handle(protectRequest(ctx, get).message);
    expect(r.kind).toBe('challenge');
  });

  it('the client refuses a response #1 without kid context or that does not verify', () => {
    const { server, client } = setup();
    const ctx1 = client.start();
    const req1 = protectRequest(ctx1, get);
    const c = server.handle(req1.message);
    if (c.kind !== 'challenge') throw new Error(c.kind);
    const tampered = { ...c.response, payload: c.response.payload.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const r = client.acceptChallenge(req1.binding, tampered);
    expect(!r.ok && r.error.kind).toBe('decryption-failed');
    const plain = client.acceptChallenge(req1.binding, { ...c.response, options: [] });
    expect(!plain.ok && plain.error.kind).toBe('unexpected-response');
  });
});
