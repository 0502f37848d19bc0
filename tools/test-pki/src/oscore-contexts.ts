import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OscoreContextFiles {
  /** Client side: sender id 01, recipient id empty. */
  readonly client: string;
  /** Server side: sender id empty, recipient id 01. */
  readonly server: string;
}

const MASTER_SECRET = '0102030405060708090a0b0c0d0e0f10';
const MASTER_SALT = '9e7ca92223786340';

/** Matching OSCORE contexts as `--oscore-context` JSON files in `dir` (oscore-client.json, oscore-server.json). */
export function writeOscoreContexts(dir: string): OscoreContextFiles {
  const context = (senderId: string, recipientId: string) =>
    JSON.stringify({ senderId, recipientId, masterSecret: MASTER_SECRET, masterSalt: MASTER_SALT });
  const client = join(dir, 'oscore-client.json');
  const server = join(dir, 'oscore-server.json');
  writeFileSync(client, context('01', ''));
  writeFileSync(server, context('', '01'));
  return { client, server };
}
