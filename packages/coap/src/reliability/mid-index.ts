/**
 * (peer id, message id) -> slot, as an open-addressing hash table in typed arrays (linear
 * probing, backward-shift deletion): no allocation and no Map rehash churn per message.
 * Sized for at most `capacity` keys at load <= 1/2.
 */
export class MidIndex {
  private readonly keyPeer: Int32Array;
  private readonly keyMid: Int32Array;
  private readonly value: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacity: number) {
    let bits = 4;
    while (1 << bits < capacity * 2) bits++;
    const size = 1 << bits;
    this.mask = size - 1;
    this.shift = 32 - bits;
    this.keyPeer = new Int32Array(size).fill(-1);
    this.keyMid = new Int32Array(size);
    this.value = new Int32Array(size);
  }

  get allocatedBytes(): number {
    return this.keyPeer.byteLength + this.keyMid.byteLength + this.value.byteLength;
  }

  get(peer: number, mid: number): number {
    const kp = this.keyPeer;
    for (let i = this.home(peer, mid); ; i = (i + 1) & this.mask) {
      const p = kp[i]!;
      if (p === -1) return -1;
      if (p === peer && this.keyMid[i] === mid) return this.value[i]!;
    }
  }

  /** Inserts or overwrites. The caller keeps the number of keys within capacity. */
  set(peer: number, mid: number, slot: number): void {
    const kp = this.keyPeer;
    let i = this.home(peer, mid);
    for (;;) {
      const p = kp[i]!;
      if (p === -1 || (p === peer && this.keyMid[i] === mid)) break;
      i = (i + 1) & this.mask;
    }
    kp[i] = peer;
    this.keyMid[i] = mid;
    this.value[i] = slot;
  }

  /** Removes the key if it still maps to `slot`. */
  delete(peer: number, mid: number, slot: number): void {
    const kp = this.keyPeer;
    let i = this.home(peer, mid);
    for (;;) {
      const p = kp[i]!;
      if (p === -1) return;
      if (p === peer && this.keyMid[i] === mid) break;
      i = (i + 1) & this.mask;
    }
    if (this.value[i] !== slot) return;
    // Backward-shift: pull later entries of the probe run into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const pj = kp[j]!;
      if (pj === -1) break;
      const k = this.home(pj, this.keyMid[j]!);
      const stays = j > i ? k > i && k <= j : k > i || k <= j;
      if (stays) continue;
      kp[i] = pj;
      this.keyMid[i] = this.keyMid[j]!;
      this.value[i] = this.value[j]!;
      i = j;
    }
    kp[i] = -1;
  }

  clear(): void {
    this.keyPeer.fill(-1);
  }

  private home(peer: number, mid: number): number {
    return Math.imul(Math.imul(peer, 0x85ebca6b) ^ mid, 0x9e3779b1) >>> this.shift;
  }
}
