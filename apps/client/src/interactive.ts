/**
 * The interactive console: reads command lines (a prompt on a terminal, plain lines from a
 * pipe), runs them one at a time and prints the outcome. Ends on `quit`, end of input (Ctrl-D)
 * or Ctrl-C.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type CommandContext, runLine } from './commands/run-command';
import type { Simulator } from './simulator';

export interface ConsoleOptions {
  readonly simulator: Simulator;
  readonly input: Readable;
  /** Where the prompt is drawn (a terminal); omit for piped input. */
  readonly terminal?: Writable;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Stops reading (shutdown started elsewhere). */
  readonly signal?: AbortSignal;
}

export type ConsoleEnd = 'quit' | 'eof' | 'interrupt' | 'aborted';

/** Runs the console until it ends; resolves with why. */
export async function runConsole(o: ConsoleOptions): Promise<ConsoleEnd> {
  const first = o.simulator.devices[0];
  if (!first) throw new Error('the simulator has no devices');
  const ctx: CommandContext = { simulator: o.simulator, current: first };
  const rl = createInterface({
    input: o.input,
    ...(o.terminal ? { output: o.terminal, terminal: true } : { terminal: false }),
  });
  const prompt = () => {
    if (!o.terminal) return;
    rl.setPrompt(`${ctx.current.name}> `);
    rl.prompt();
  };
  let end: ConsoleEnd = 'eof';
  const onAbort = () => {
    end = 'aborted';
    rl.close();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // On a terminal readline swallows Ctrl-C; treat it as the signal it stands for.
  rl.on('SIGINT', () => {
    end = 'interrupt';
    rl.close();
  });
  if (o.terminal) o.out('type help for the commands, quit to exit');
  prompt();
  try {
    for await (const line of rl) {
      const outcome = await runLine(line, ctx);
      for (const text of outcome.lines) (outcome.error ? o.err : o.out)(text);
      if (outcome.quit) {
        end = 'quit';
        break;
      }
      prompt();
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    rl.close();
  }
  return end;
}
