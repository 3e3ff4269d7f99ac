/**
 * Parsed statements by text, least recently used first out. Applications run the same
 * parameterized statements over and over; parsing is the largest fixed cost of a point query.
 */
import type { Statement } from "../partiql/ast.ts";

export class StatementCache {
  private readonly entries = new Map<string, Statement>();

  constructor(private readonly capacity: number) {}

  get(text: string, parse: (text: string) => Statement): Statement {
    const hit = this.entries.get(text);
    if (hit !== undefined) {
      // Re-insert to mark it most recently used (a Map iterates in insertion order).
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit;
    }
    const statement = parse(text);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(text, statement);
    return statement;
  }
}
