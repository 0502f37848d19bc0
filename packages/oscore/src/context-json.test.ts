import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex as hex } from './bytes';
import { loadOscoreContextFile, parseOscoreContextJson } from './context-json';
import { SecurityContext } from './security-context';

const c1 = {
  senderId: '',
  recipientId: '01',
  masterSecret: '0102030405060708090a0b0c0d0e0f10',
  masterSalt: '9e7ca92223786340',
};

describe('context JSON import', () => {
  it('derives the RFC 8613 C.1.1 client context', () => {
    const ctx = new SecurityContext(parseOscoreContextJson(c1));
    expect(hex(ctx.senderKey)).toBe('f0910ed7295e6ad4b54fc793154302ff');
    expect(hex(ctx.commonIv)).toBe('4622d4dd6d944168eefb54987c');
  });

  it('loads a file, with an ID Context', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'oscore-ctx-')), 'ctx.json');
    writeFileSync(path, JSON.stringify({ ...c1, idContext: '37cbf3210017a2d3' }));
    const ctx = loadOscoreContextFile(path);
    expect(hex(ctx.senderKey)).toBe('af2a1300a5e95788b356336eeecd2b92');
    expect(ctx.sendKidContext).toBe(true);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [], /JSON object/],
    ['missing masterSecret', { senderId: '', recipientId: '01' }, /"masterSecret" is required/],
    ['odd hex', { ...c1, masterSalt: 'abc' }, /"masterSalt" must be an even-length hex/],
    ['non-string', { ...c1, senderId: 1 }, /"senderId" must be a hex string/],
    ['unknown field', { ...c1, secret: 'aa' }, /unknown field "secret"/],
    ['ID too long', { ...c1, senderId: '0102030405060708' }, /at most 7 bytes/],
    ['empty secret', { ...c1, masterSecret: '' }, /must not be empty/],
    ['other algorithm', { ...c1, aeadAlgorithm: 1 }, /must be 10/],
  ];
  for (const [name, json, message] of bad) {
    it(`rejects ${name} with a message naming the field`, () => {
      expect(() => parseOscoreContextJson(json)).toThrow(message);
    });
  }

  it('reports unreadable and invalid files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oscore-ctx-'));
    expect(() => loadOscoreContextFile(join(dir, 'missing.json'))).toThrow(/cannot read OSCORE context file/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadOscoreContextFile(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
  });
});
