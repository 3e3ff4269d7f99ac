/** Where a `quire` command writes, and the directory its relative paths start from (tests pass their own). */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  /**
   * Standard input as lines, for `quire shell`; `prompt` (where input is a terminal) shows a
   * prompt without ending the line.
   */
  input?: { lines: AsyncIterable<string>; prompt?(text: string): void; close?(): void };
}
