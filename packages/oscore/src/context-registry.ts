/** Server-side lookup of Recipient Contexts by 'kid' (and 'kid context'), RFC 8613 §8.2 step 2. */
import { bytesEqual, bytesKey } from './bytes';
import type { SecurityContext } from './security-context';

export class SecurityContextRegistry {
  private readonly byKid = new Map<string, SecurityContext[]>();

  constructor(contexts: Iterable<SecurityContext> = []) {
    for (const c of contexts) this.add(c);
  }

  add(context: SecurityContext): void {
    const key = bytesKey(context.recipientId);
    const list = this.byKid.get(key) ?? [];
    if (!list.includes(context)) list.push(context);
    this.byKid.set(key, list);
  }

  remove(context: SecurityContext): boolean {
    const key = bytesKey(context.recipientId);
    const list = this.byKid.get(key);
    const i = list?.indexOf(context) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.byKid.delete(key);
    return true;
  }

  /**
   * Candidates for a received request: Recipient ID = kid and, when 'kid context' is present,
   * ID Context = kid context (§5). Several candidates are tried in order (§3.3).
   */
  resolve(kid: Uint8Array, kidContext: Uint8Array | undefined): readonly SecurityContext[] {
    const list = this.byKid.get(bytesKey(kid));
    if (!list) return [];
    if (!kidContext) return list;
    return list.filter((c) => c.idContext !== undefined && bytesEqual(c.idContext, kidContext));
  }

  /** The context when exactly one is registered (a client's usual case), without allocating. */
  only(): SecurityContext | undefined {
    if (this.byKid.size !== 1) return undefined;
    for (const list of this.byKid.values()) return list.length === 1 ? list[0] : undefined;
    return undefined;
  }

  get size(): number {
    let n = 0;
    for (const l of this.byKid.values()) n += l.length;
    return n;
  }

  [Symbol.iterator](): IterableIterator<SecurityContext> {
    return [...this.byKid.values()].flat()[Symbol.iterator]();
  }
}
