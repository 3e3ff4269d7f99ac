/** Where a `quire` command writes, and the directory its relative paths start from (tests pass their own). */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
}
