/**
 * (peer id, message id) -> slot, as an open-addressing hash table in typed arrays (linear
 * probing, backward-shift deletion): no allocation and no Map rehash churn per message.
 * Sized for at most `capacity` keys at load <= 1/2; `reserve` grows it (a rehash, rare: the
 * dedup cache doubles its records at most log2(capacity / 256) times).
 */
export class MidIndex {
  private keyPeer: Int32Array;
  private keyMid: Int32Array;
  private value: Int32Array;
  private mask = 0;
  private shift = 0;
  /** Keys the table is sized for (load <= 1/2). */
  private capacity = 0;

  constructor(capacity: number) {
    this.keyPeer = new Int32Array(0);
    this.keyMid = new Int32Array(0);
    this.value = new Int32Array(0);
    this.resize(capacity);
  }

  /** Makes room for `capacity` keys (rehashing into a larger table); never shrinks. */
  reserve(capacity: number): void {
    if (capacity > this.capacity) this.resize(capacity);
  }

  private resize(capacity: number): void {
    let bits = 4;
    while (1 << bits < capacity * 2) bits++;
    const size = 1 << bits;
    const oldPeer = this.keyPeer;
    const oldMid = this.keyMid;
    const oldValue = this.value;
    this.capacity = size >> 1;
    this.mask = size - 1;
    this.shift = 32 - bits;
    this.keyPeer = new Int32Array(size).fill(-1);
    this.keyMid = new Int32Array(size);
    this.value = new Int32Array(size);
    for (let i = 0; i < oldPeer.length; i++) if (oldPeer[i] !== -1) this.set(oldPeer[i]!, oldMid[i]!, oldValue[i]!);
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
