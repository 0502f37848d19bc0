/** A turn's commands leave in one socket write, in order, on every (re)connection; off when asked. */
import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectRedis } from '../src/connect-redis';
import { useRedis } from './use-redis';

const redis = useRedis('coalesced writes');

const socketOf = (client: Redis) => (client as unknown as { stream: Socket }).stream;

/** Counts the socket writes (`_write` one chunk, `_writev` several) a client makes while `run` runs. */
async function countWrites(client: Redis, run: () => Promise<unknown>): Promise<number> {
  const socket = socketOf(client);
  const single = vi.spyOn(socket as unknown as { _write: () => void }, '_write');
  const vector = vi.spyOn(socket as unknown as { _writev: () => void }, '_writev');
  try {
    await run();
    return single.mock.calls.length + vector.mock.calls.length;
  } finally {
    single.mockRestore();
    vector.mockRestore();
  }
}

if (redis) {
  describe('coalesced writes', () => {
    const opened: Redis[] = [];
    afterEach(() => {
      for (const c of opened.splice(0)) c.disconnect();
    });
    const open = async (coalesceWrites?: boolean) => {
      const client = await connectRedis({
        url: redis.server().url,
        connectTimeoutMs: 3000,
        ...(coalesceWrites !== undefined ? { coalesceWrites } : {}),
      });
      opened.push(client);
      return client;
    };

    it('sends the commands of one turn in one write; replies come back in order, an error only to its command', async () => {
      const client = await open();
      const key = `${redis.newPrefix()}n`;
      await client.set(`${key}:text`, 'not a number');
      let replies: PromiseSettledResult<unknown>[] = [];
      const writes = await countWrites(client, async () => {
        const sent = Array.from({ length: 20 }, (_, i) => (i === 7 ? client.incr(`${key}:text`) : client.incr(key)));
        replies = await Promise.allSettled(sent);
      });
      expect(writes).toBe(1);
      expect(replies[7]?.status).toBe('rejected');
      const values = replies.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      expect(values).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    });

    it('two turns are two writes; a command waits only for the end of its turn', async () => {
      const client = await open();
      const key = `${redis.newPrefix()}k`;
      const writes = await countWrites(client, async () => {
        await Promise.all([client.set(key, 'a'), client.append(key, 'b')]);
        await Promise.all([client.append(key, 'c'), client.append(key, 'd')]);
      });
      expect(writes).toBe(2);
      expect(await client.get(key)).toBe('abcd');
    });

    it('a reconnected client (a new socket) coalesces too', async () => {
      const client = await open();
      const first = socketOf(client);
      const ready = new Promise((resolve) => client.once('ready', resolve));
      client.disconnect(true);
      await ready;
      expect(socketOf(client)).not.toBe(first);
      const key = `${redis.newPrefix()}r`;
      const writes = await countWrites(client, () =>
        Promise.all([client.incr(key), client.incr(key), client.incr(key)]),
      );
      expect(writes).toBe(1);
      expect(await client.get(key)).toBe('3');
    });

    it('coalesceWrites: false writes each command as it is issued', async () => {
      const client = await open(false);
      const key = `${redis.newPrefix()}p`;
      const writes = await countWrites(client, () =>
        Promise.all([client.incr(key), client.incr(key), client.incr(key)]),
      );
      expect(writes).toBe(3);
    });
  });
}
