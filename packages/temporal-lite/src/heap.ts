/** A binary min-heap ordered by `at` (ms of temporal-lite's clock). */
export interface Due {
  at: number;
  runId: string;
  kind: string;
  key: string;
}

export class DueHeap {
  private items: Due[] = [];
  get size() { return this.items.length; }
  peek(): Due | undefined { return this.items[0]; }
  clear() { this.items = []; }
  /** Keeps only the entries `keep` accepts (O(n): filter, then heapify bottom-up). */
  retain(keep: (d: Due) => boolean) {
    const a = (this.items = this.items.filter(keep));
    for (let i = (a.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
  push(d: Due) {
    const a = this.items;
    a.push(d);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.at <= a[i]!.at) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Due | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }
  private siftDown(i: number) {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && a[l]!.at < a[m]!.at) m = l;
      if (r < a.length && a[r]!.at < a[m]!.at) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
  }
}
