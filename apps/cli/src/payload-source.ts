/** The request body: an argument, `--file <path>`, or standard input with `--file -`. */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError, ExitCode } from './cli-io';

export async function readPayload(
  arg: string | undefined,
  file: string | undefined,
  stdin: Readable,
): Promise<Uint8Array | undefined> {
  if (arg !== undefined && file !== undefined)
    throw new CliError('give the payload either as an argument or with --file, not both', ExitCode.USAGE);
  if (arg !== undefined) return new TextEncoder().encode(arg);
  if (file === undefined) return undefined;
  if (file === '-') return readAll(stdin);
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw new CliError(`cannot read --file ${file}: ${(err as Error).message}`, ExitCode.USAGE);
  }
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}
