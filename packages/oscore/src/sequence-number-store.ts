/**
 * Appendix B.1.1: persistence of the Sender Sequence Number. Before a number divisible by K is
 * used, it is saved; after a restart the sender resumes at saved + K + F, so no (key, nonce) pair
 * is ever reused even though only every K-th number is written.
 *
 * `save` must be durable when it returns (the sender uses the number right after): keep the
 * interface synchronous. Implementations over slow media should raise F (margin) instead.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface SequenceNumberStore {
  /** Last saved high-water mark for the context key, or undefined if never saved. */
  load(key: string): number | undefined;
  /** Durably records `value`; throws if it cannot (the number is then not used). */
  save(key: string, value: number): void;
}

/** In-memory store: survives a SecurityContext being re-created in the same process (tests, simulators). */
export class MemorySequenceNumberStore implements SequenceNumberStore {
  private readonly values = new Map<string, number>();
  load(key: string): number | undefined {
    return this.values.get(key);
  }
  save(key: string, value: number): void {
    this.values.set(key, value);
  }
}

/** One JSON file `{ [key]: number }`, rewritten atomically (write temp, fsync, rename). */
export class FileSequenceNumberStore implements SequenceNumberStore {
  private cache: Record<string, number> | undefined;
  constructor(private readonly path: string) {}

  private read(): Record<string, number> {
    if (this.cache) return this.cache;
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`cannot read OSCORE sequence number file ${this.path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`OSCORE sequence number file ${this.path} must hold a JSON object of numbers`);
    }
    this.cache = { ...(parsed as Record<string, number>) };
    return this.cache;
  }

  load(key: string): number | undefined {
    const v = this.read()[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  }

  save(key: string, value: number): void {
    const next = { ...this.read(), [key]: value };
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.cache = next;
  }
}
