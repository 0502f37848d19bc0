/** Runs a parsed interactive command against the simulator; returns what to print. */
import type { SimulatedDevice } from '../simulated-device';
import type { Simulator } from '../simulator';
import { getValue, listObjects, setValue } from './device-values';
import { COMMAND_HELP, type Command, parseCommand } from './parse-command';

export interface CommandContext {
  readonly simulator: Simulator;
  /** The device commands act on (`use` changes it). */
  current: SimulatedDevice;
}

export interface CommandOutcome {
  readonly lines: readonly string[];
  /** True when the line was refused or failed (the message says why). */
  readonly error?: boolean;
  readonly quit?: boolean;
}

export function helpLines(): string[] {
  const width = Math.max(...COMMAND_HELP.map(([usage]) => usage.length));
  return COMMAND_HELP.map(([usage, what]) => `  ${usage.padEnd(width)}  ${what}`);
}

function pickDevice(simulator: Simulator, which: string): SimulatedDevice {
  const byName = simulator.devices.find((d) => d.name === which);
  if (byName) return byName;
  if (/^\d+$/.test(which)) {
    const n = Number(which);
    const d = simulator.devices[n - 1];
    if (d) return d;
    throw new Error(`there is no device number ${n}; the fleet has 1..${simulator.devices.length}`);
  }
  throw new Error(`no device named "${which}"; see devices`);
}

function status(ctx: CommandContext): string[] {
  const d = ctx.current;
  const s = ctx.simulator.stats();
  const lines = [`${d.name}: ${d.state}${d.lastError && d.state === 'failed' ? ` (${d.lastError.message})` : ''}`];
  for (const server of d.client?.servers() ?? [])
    lines.push(
      `  server ${server.shortServerId} ${server.uri}: ${server.registered ? `registered at ${server.location}` : 'not registered'}`,
    );
  if (d.client?.sleeping) lines.push('  sleeping (queue mode)');
  for (const o of d.client?.observationsList() ?? []) lines.push(`  observed: ${o.coapPath}`);
  lines.push(
    `  fleet: ${s.registered}/${s.total} registered, ${s.failed} failed; ${s.notifications} notifications, ${s.datagramsSent} datagrams sent`,
  );
  return lines;
}

async function execute(command: Command, ctx: CommandContext): Promise<CommandOutcome> {
  const d = ctx.current;
  switch (command.kind) {
    case 'empty':
      return { lines: [] };
    case 'help':
      return { lines: ['commands:', ...helpLines()] };
    case 'quit':
      return { lines: ['de-registering and exiting'], quit: true };
    case 'set':
      return { lines: [setValue(d, command.path, command.value)] };
    case 'get':
      return { lines: [getValue(d, command.path)] };
    case 'list':
      return { lines: listObjects(d) };
    case 'status':
      return { lines: status(ctx) };
    case 'devices':
      return {
        lines: ctx.simulator.devices.map(
          (x, i) => `${x === d ? '*' : ' '} ${String(i + 1).padStart(5)}  ${x.name}  ${x.state}`,
        ),
      };
    case 'use':
      ctx.current = pickDevice(ctx.simulator, command.device);
      return { lines: [`now acting on ${ctx.current.name} (${ctx.current.state})`] };
    case 'update':
      await d.update();
      return { lines: [`${d.name}: Update sent`] };
    case 'sleep':
      d.sleep();
      return { lines: [`${d.name}: sleeping; requests from the server go unanswered until wake`] };
    case 'wake':
      await d.wake();
      return { lines: [`${d.name}: awake, Update sent`] };
    case 'send':
      await d.send(command.paths);
      return { lines: [`${d.name}: sent ${command.paths.join(' ')}`] };
    case 'reboot':
      void d.reboot('from the console');
      return { lines: [`${d.name}: rebooting`] };
    case 'factory-reset':
      void d.factoryReset('from the console');
      return { lines: [`${d.name}: factory reset, rebooting`] };
    case 'deregister':
      await d.deregister();
      return { lines: [`${d.name}: de-registered (register to come back)`] };
    case 'register':
      await d.register();
      await d.whenSettled();
      return { lines: [`${d.name}: ${d.state}`], error: d.state !== 'registered' };
  }
}

/** Parses and runs one line; failures come back as messages, never as exceptions. */
export async function runLine(line: string, ctx: CommandContext): Promise<CommandOutcome> {
  const parsed = parseCommand(line);
  if (!parsed.ok) return { lines: [parsed.error], error: true };
  try {
    return await execute(parsed.command, ctx);
  } catch (e) {
    return { lines: [`${parsed.command.kind}: ${e instanceof Error ? e.message : String(e)}`], error: true };
  }
}
