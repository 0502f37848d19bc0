import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse-command';

const error = (line: string) => {
  const r = parseCommand(line);
  if (r.ok) throw new Error(`"${line}" parsed as ${JSON.stringify(r.command)}`);
  return r.error;
};

describe('parseCommand', () => {
  it('parses every command', () => {
    expect(parseCommand('set /3303/0/5700 22.5')).toEqual({
      ok: true,
      command: { kind: 'set', path: '/3303/0/5700', value: '22.5' },
    });
    expect(parseCommand('  set /3/0/15   Europe/Paris ')).toMatchObject({
      command: { kind: 'set', path: '/3/0/15', value: 'Europe/Paris' },
    });
    expect(parseCommand('send /3303/0/5700 /3/0')).toMatchObject({
      command: { kind: 'send', paths: ['/3303/0/5700', '/3/0'] },
    });
    expect(parseCommand('get /3311/0/5850')).toMatchObject({ command: { kind: 'get', path: '/3311/0/5850' } });
    expect(parseCommand('use 3')).toMatchObject({ command: { kind: 'use', device: '3' } });
    for (const kind of [
      'update',
      'sleep',
      'wake',
      'reboot',
      'factory-reset',
      'deregister',
      'register',
      'list',
      'devices',
      'status',
      'help',
      'quit',
    ])
      expect(parseCommand(kind)).toEqual({ ok: true, command: { kind } });
    expect(parseCommand('EXIT')).toEqual({ ok: true, command: { kind: 'quit' } });
    expect(parseCommand('?')).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseCommand('')).toEqual({ ok: true, command: { kind: 'empty' } });
  });

  it('says what is wrong with a bad line', () => {
    expect(error('frobnicate')).toBe('unknown command "frobnicate"; type help for the list');
    expect(error('updat')).toBe('unknown command "updat" (did you mean update?); type help for the list');
    expect(error('set')).toBe('usage: set <path> <value>, e.g. set /3303/0/5700 22.5');
    expect(error('set /3303/0/5700')).toBe('usage: set <path> <value>, e.g. set /3303/0/5700 22.5');
    expect(error('set 3303/0/5700 1')).toBe('set: "3303/0/5700" is not a path: write it like /3303/0/5700 (/o/i/r)');
    expect(error('set /3303/0 1')).toBe('set: "/3303/0" has 2 level(s); expected /o/i/r');
    expect(error('set /3303/x/5700 1')).toBe('set: "x" in /3303/x/5700 is not an id (0..65535)');
    expect(error('set /3303/0/70000 1')).toBe('set: "70000" in /3303/0/70000 is not an id (0..65535)');
    expect(error('send')).toBe('usage: send <path> [path...], e.g. send /3303/0/5700');
    expect(error('send /3303/0/5700/0/1')).toBe(
      'send: "/3303/0/5700/0/1" has 5 level(s); expected /o or /o/i or /o/i/r',
    );
    expect(error('reboot now')).toBe('reboot takes no arguments (got "now")');
    expect(error('use')).toBe('usage: use <name|number>, e.g. use 3 or use lwm2m-sim-0003');
  });
});
