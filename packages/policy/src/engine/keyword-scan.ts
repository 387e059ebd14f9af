// Finding many words in one text in one pass (Aho-Corasick): a policy with hundreds of
// `contains any [...]` rules reads a long message once, not once per rule and word. The
// automaton is a table over the text's UTF-16 code units, as `String.prototype.includes` reads
// them, so it finds exactly the words `includes` finds.

/** A set of words, and which of them a text contains. */
export class KeywordScan {
  readonly words: readonly string[];
  /** Column of each code unit in `next` (0: a unit no word has). */
  private readonly column: Uint16Array;
  private readonly columns: number;
  /** next[state * columns + column]: the state after reading a unit. */
  private readonly next: Int32Array;
  /** The word ending at a state, or -1; and the nearest shorter state (by suffix) where one ends. */
  private readonly wordAt: Int32Array;
  private readonly shorterWord: Int32Array;
  /** 1 for states where some word ends. */
  private readonly ends: Uint8Array;
  /** Words found in every text: the empty word. */
  private readonly always: number[];

  constructor(words: readonly string[]) {
    this.words = words;
    const column = new Uint16Array(0x10000);
    let columns = 1;
    for (const word of words) for (let i = 0; i < word.length; i++) if (column[word.charCodeAt(i)] === 0) column[word.charCodeAt(i)] = columns++;
    this.column = column;
    this.columns = columns;

    // The trie, then failure links breadth first, folded into a full transition table.
    const children: Array<Map<number, number>> = [new Map()];
    const wordAt: number[] = [-1];
    const always: number[] = [];
    words.forEach((word, index) => {
      if (word.length === 0) return void always.push(index);
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const c = column[word.charCodeAt(i)]!;
        let child = children[state]!.get(c);
        if (child === undefined) {
          child = children.push(new Map()) - 1;
          wordAt.push(-1);
          children[state]!.set(c, child);
        }
        state = child;
      }
      // Duplicate words share a state: later copies are marked through `duplicates`.
      if (wordAt[state] === -1) wordAt[state] = index;
      else this.duplicates.push([wordAt[state]!, index]);
    });
    const states = children.length;
    const next = new Int32Array(states * columns);
    const fail = new Int32Array(states);
    const shorterWord = new Int32Array(states).fill(-1);
    const queue: number[] = [];
    for (const [c, child] of children[0]!) {
      next[c] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const link = fail[state]!;
      shorterWord[state] = wordAt[link] !== -1 ? link : shorterWord[link]!;
      for (let c = 0; c < columns; c++) {
        const child = children[state]!.get(c);
        if (child === undefined) next[state * columns + c] = next[link * columns + c]!;
        else {
          next[state * columns + c] = child;
          fail[child] = next[link * columns + c]!;
          queue.push(child);
        }
      }
    }
    this.next = next;
    this.wordAt = Int32Array.from(wordAt);
    this.shorterWord = shorterWord;
    this.always = always;
    this.found = new Int32Array(words.length);
    this.ends = new Uint8Array(states);
    for (let state = 0; state < states; state++) this.ends[state] = wordAt[state] !== -1 || shorterWord[state] !== -1 ? 1 : 0;
  }

  /** Pairs of word indexes with the same text: [first, later copy]. */
  private readonly duplicates: Array<[number, number]> = [];

  /**
   * The words found by the latest scan: `found[index] === generation` (the number `scan`
   * returned) when the text contains word `index`. One array serves every scan, so a decision
   * allocates nothing; a scan's result holds until the next scan, and deciding is synchronous.
   */
  readonly found: Int32Array;
  private generation = 0;

  /** Scans `text` for every word; returns the generation to look words up with in `found`. */
  scan(text: string): number {
    if (this.generation === 0x7fffffff) {
      this.found.fill(0);
      this.generation = 0;
    }
    const generation = ++this.generation;
    const { found, column, columns, next, wordAt, shorterWord, ends } = this;
    const length = text.length;
    let state = 0;
    for (let i = 0; i < length; i++) {
      state = next[state * columns + column[text.charCodeAt(i)]!]!;
      if (ends[state] === 0) continue;
      // Each word-ending state is visited along its chain of shorter words; a word already
      // found means the rest of its chain was found with it.
      for (let at = wordAt[state] !== -1 ? state : shorterWord[state]!; at !== -1 && found[wordAt[at]!] !== generation; at = shorterWord[at]!)
        found[wordAt[at]!] = generation;
    }
    for (const index of this.always) found[index] = generation;
    for (const [first, copy] of this.duplicates) found[copy] = found[first]!;
    return generation;
  }
}
