/**
 * Interactive commands: one line of text -> a typed command, or a message saying what was
 * wrong and what to type instead. Pure: no device is touched here.
 */

export type Command =
  | { readonly kind: 'set'; readonly path: string; readonly value: string }
  | { readonly kind: 'get'; readonly path: string }
  | { readonly kind: 'send'; readonly paths: readonly string[] }
  | { readonly kind: 'use'; readonly device: string }
  | {
      readonly kind:
        | 'update'
        | 'sleep'
        | 'wake'
        | 'reboot'
        | 'factory-reset'
        | 'deregister'
        | 'register'
        | 'list'
        | 'devices'
        | 'status'
        | 'help'
        | 'quit'
        | 'empty';
    };

export type ParseResult =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly error: string };

/** Usage lines, one per command (also the `help` output). */
export const COMMAND_HELP: ReadonlyArray<readonly [string, string]> = [
  ['set <path> <value>', 'change a resource value on the device, e.g. set /3303/0/5700 22.5'],
  ['get <path>', 'show a resource value, e.g. get /3311/0/5850'],
  ['send <path> [path...]', 'LwM2M Send of values to the server, e.g. send /3303/0/5700'],
  ['update', 'send a registration Update now'],
  ['sleep', 'queue mode: stop answering the server (needs --queue)'],
  ['wake', 'queue mode: wake up and send an Update (needs --queue)'],
  ['reboot', 'de-register, restart, register again (as Execute /3/0/4 does)'],
  ['factory-reset', 'like reboot, with every value back to its factory setting'],
  ['deregister', 'de-register from the server (register brings it back)'],
  ['register', 'register again after deregister or a failure'],
  ['list', 'the objects, instances and values of the device'],
  ['status', 'registration state and traffic counters'],
  ['devices', 'the devices of the fleet and their state'],
  ['use <name|number>', 'pick the device the commands act on (fleet)'],
  ['help', 'this list'],
  ['quit', 'de-register every device and exit (also Ctrl-D, exit)'],
];

const SIMPLE = new Set([
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
]);

const ALIASES: Readonly<Record<string, string>> = {
  exit: 'quit',
  '?': 'help',
  ls: 'list',
  factoryreset: 'factory-reset',
  factory_reset: 'factory-reset',
  dereg: 'deregister',
  reg: 'register',
};

const NAMES = [...SIMPLE, 'set', 'get', 'send', 'use'];

/** "/3303/0/5700" style path check: `levels` allowed lengths, ids 0..65535. Returns an error or undefined. */
export function checkPath(path: string, levels: readonly number[]): string | undefined {
  const shape = levels.map((n) => `/${['o', 'i', 'r', 'ri'].slice(0, n).join('/')}`).join(' or ');
  if (!path.startsWith('/')) return `"${path}" is not a path: write it like /3303/0/5700 (${shape})`;
  const parts = path.slice(1).split('/');
  if (!levels.includes(parts.length)) return `"${path}" has ${parts.length} level(s); expected ${shape}`;
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) return `"${p}" in ${path} is not an id (0..65535)`;
  }
  return undefined;
}

function suggest(word: string): string {
  const close = NAMES.filter((n) => n.startsWith(word.slice(0, 2)) || word.startsWith(n));
  return close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : '';
}

export function parseCommand(line: string): ParseResult {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const ok = (command: Command): ParseResult => ({ ok: true, command });
  const fail = (error: string): ParseResult => ({ ok: false, error });
  if (words.length === 0) return ok({ kind: 'empty' });
  const typed = words[0]!.toLowerCase();
  const name = ALIASES[typed] ?? typed;
  const args = words.slice(1);
  if (SIMPLE.has(name)) {
    if (args.length > 0) return fail(`${name} takes no arguments (got "${args.join(' ')}")`);
    return ok({ kind: name as 'update' });
  }
  switch (name) {
    case 'set': {
      if (args.length < 2) return fail('usage: set <path> <value>, e.g. set /3303/0/5700 22.5');
      const error = checkPath(args[0]!, [3]);
      if (error) return fail(`set: ${error}`);
      return ok({ kind: 'set', path: args[0]!, value: args.slice(1).join(' ') });
    }
    case 'get': {
      if (args.length !== 1) return fail('usage: get <path>, e.g. get /3303/0/5700');
      const error = checkPath(args[0]!, [3]);
      return error ? fail(`get: ${error}`) : ok({ kind: 'get', path: args[0]! });
    }
    case 'send': {
      if (args.length === 0) return fail('usage: send <path> [path...], e.g. send /3303/0/5700');
      for (const p of args) {
        const error = checkPath(p, [1, 2, 3]);
        if (error) return fail(`send: ${error}`);
      }
      return ok({ kind: 'send', paths: args });
    }
    case 'use':
      if (args.length !== 1) return fail('usage: use <name|number>, e.g. use 3 or use lwm2m-sim-0003');
      return ok({ kind: 'use', device: args[0]! });
    default:
      return fail(`unknown command "${words[0]}"${suggest(typed)}; type help for the list`);
  }
}
