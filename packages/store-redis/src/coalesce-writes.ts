/**
 * One socket write per event-loop turn instead of one per command. ioredis writes each command
 * to its socket as it is issued; on this kind of machine a loopback TCP write costs 15–20 µs of
 * CPU (most of it the kernel handing the bytes to redis-server and waking it), several times
 * what ioredis itself spends on a command. A server node issues its commands in bursts (every
 * datagram read in one poll phase starts its own store calls), so the socket is corked on the
 * first write of a turn and uncorked in `setImmediate`: everything written meanwhile leaves in
 * one `writev`, in the order it was written. Replies are matched by ioredis in that same order,
 * so nothing about command semantics changes; a command waits at most until the end of the
 * current turn (the poll phase's other callbacks), never for a timer.
 */
import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

const PATCHED = Symbol('lwm2m-ts.coalescedWrites');

type PatchedSocket = Socket & { [PATCHED]?: true };

function coalesce(socket: PatchedSocket): void {
  if (socket[PATCHED]) return;
  socket[PATCHED] = true;
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}

/**
 * Makes `redis` coalesce its writes per turn, on this connection and every reconnection
 * (ioredis opens a new socket each time).
 */
export function coalesceWrites(redis: Redis): void {
  const patchCurrent = () => {
    const stream = (redis as unknown as { stream?: PatchedSocket }).stream;
    if (stream && typeof stream.cork === 'function') coalesce(stream);
  };
  patchCurrent();
  redis.on('connect', patchCurrent);
}
