/**
 * Finds many literal strings in one pass over a text (Aho-Corasick): the cost
 * of a scan grows with the text, not with the number of strings looked for.
 */
export class LiteralMatcher {
  /** Nodes in use; node 0 is the root. */
  private size = 1;
  /** The UTF-16 code unit on the edge into each node. */
  private readonly codes: Uint16Array;
  /**
   * The children of each node: -1 for none, the child's index when there is
   * one (most nodes of long literals), -2 - i when `branches[i]` maps them.
   */
  private readonly kid: Int32Array;
  private readonly branches: Array<Map<number, number>> = [new Map()];
  private readonly fail: Int32Array;
  /** Length of the longest pattern that ends at each node (0: none). */
  private readonly longestEnding: Int32Array;

  constructor(patterns: Iterable<string>) {
    const list = [...patterns];
    const capacity = 1 + list.reduce((n, p) => n + p.length, 0);
    this.codes = new Uint16Array(capacity);
    this.kid = new Int32Array(capacity).fill(-1);
    this.kid[0] = -2;
    this.fail = new Int32Array(capacity);
    this.longestEnding = new Int32Array(capacity);
    for (const pattern of list) {
      let node = 0;
      for (let i = 0; i < pattern.length; i++) {
        const code = pattern.charCodeAt(i);
        const next = this.child(node, code);
        node = next >= 0 ? next : this.addChild(node, code);
      }
      if (node) this.longestEnding[node] = pattern.length;
    }
    this.link();
  }

  /** The child of `node` along `code`, or -1. */
  private child(node: number, code: number): number {
    const k = this.kid[node];
    if (k >= 0) return this.codes[k] === code ? k : -1;
    if (k === -1) return -1;
    return this.branches[-2 - k].get(code) ?? -1;
  }

  private addChild(node: number, code: number): number {
    const created = this.size++;
    this.codes[created] = code;
    const k = this.kid[node];
    if (k === -1) this.kid[node] = created;
    else if (k >= 0) {
      this.branches.push(new Map([[this.codes[k], k], [code, created]]));
      this.kid[node] = -1 - this.branches.length;
    } else this.branches[-2 - k].set(code, created);
    return created;
  }

  private pushChildren(node: number, queue: number[]): void {
    const k = this.kid[node];
    if (k >= 0) queue.push(k);
    else if (k !== -1) for (const c of this.branches[-2 - k].values()) queue.push(c);
  }

  /** Breadth first: each node's failure link is the longest proper suffix that is also a trie node. */
  private link(): void {
    const queue: number[] = [];
    this.pushChildren(0, queue);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      const first = queue.length;
      this.pushChildren(node, queue);
      for (let q = first; q < queue.length; q++) {
        const c = queue[q];
        const code = this.codes[c];
        let f = this.fail[node];
        let target = this.child(f, code);
        while (target < 0 && f !== 0) {
          f = this.fail[f];
          target = this.child(f, code);
        }
        this.fail[c] = target < 0 ? 0 : target;
        if (!this.longestEnding[c]) this.longestEnding[c] = this.longestEnding[this.fail[c]];
      }
    }
  }

  get empty(): boolean {
    return this.size === 1;
  }

  /** [start, end) of every occurrence, overlapping occurrences merged into one span, in order. */
  spans(text: string): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    if (this.empty) return spans;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let next = this.child(node, code);
      while (next < 0 && node !== 0) {
        node = this.fail[node];
        next = this.child(node, code);
      }
      node = next < 0 ? 0 : next;
      const length = this.longestEnding[node];
      if (!length) continue;
      // The longest pattern ending here starts earliest: shorter ones ending here lie inside it.
      let start = i + 1 - length;
      while (spans.length && spans[spans.length - 1][1] > start) start = Math.min(start, spans.pop()![0]);
      spans.push([start, i + 1]);
    }
    return spans;
  }
}
