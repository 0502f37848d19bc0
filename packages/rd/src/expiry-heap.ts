/** Binary min-heap of (time, id) with lazy deletion: stale entries are skipped by the caller. */
export class ExpiryHeap {
  private times: number[] = [];
  private ids: string[] = [];

  get length(): number {
    return this.times.length;
  }

  push(time: number, id: string): void {
    let i = this.times.length;
    this.times.push(time);
    this.ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= time) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekTime(): number | undefined {
    return this.times[0];
  }

  pop(): { time: number; id: string } | undefined {
    const n = this.times.length;
    if (n === 0) return undefined;
    const top = { time: this.times[0]!, id: this.ids[0]! };
    const lastT = this.times.pop()!;
    const lastId = this.ids.pop()!;
    if (n > 1) {
      this.times[0] = lastT;
      this.ids[0] = lastId;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n - 1 && this.times[l]! < this.times[m]!) m = l;
        if (r < n - 1 && this.times[r]! < this.times[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  /** Rebuilds from the live entries only. */
  rebuild(entries: Iterable<{ time: number; id: string }>): void {
    this.times = [];
    this.ids = [];
    for (const e of entries) this.push(e.time, e.id);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = t;
    const s = this.ids[a]!;
    this.ids[a] = this.ids[b]!;
    this.ids[b] = s;
  }
}
