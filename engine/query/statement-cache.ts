/**
 * Prepared statements by text, least recently used first out. Applications run the same
 * parameterized statements over and over; parsing and analysing the tree were most of the cost
 * of an indexed point query before they were cached.
 */
export class StatementCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(text: string, prepare: (text: string) => T): T {
    const hit = this.entries.get(text);
    if (hit !== undefined) {
      // Re-insert to mark it most recently used (a Map iterates in insertion order).
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit;
    }
    const prepared = prepare(text);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(text, prepared);
    return prepared;
  }
}
