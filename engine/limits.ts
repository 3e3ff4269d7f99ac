/**
 * Every limit the engine enforces, in one place, each with its reason.
 * Exceeding one is a `LedgerError` with code `LIMIT_EXCEEDED`, never a stack overflow or a hang.
 */
export const limits = {
  /** Nesting depth of an Ion value. Encoders and the hasher recurse per level; 1,000 keeps
   *  them far below every runtime's stack while exceeding any real document's depth. A
   *  document gets 3 levels less: its block, which holds it 3 levels down, must fit too. */
  maxValueDepth: 1_000,
  /** Encoded size of one document revision. QLDB's limit is 128 KiB; we allow more since
   *  the journal is local, but bound it so one statement cannot stall the commit path. */
  maxDocumentBytes: 8 * 1024 * 1024,
  /** Encoded size of one block (one transaction). Bounds memory held by a pending commit and
   *  the largest frame recovery must read. */
  maxBlockBytes: 64 * 1024 * 1024,
  /** Documents written by one transaction (QLDB: 40), table definitions not counted. Larger
   *  keeps bulk loads practical. */
  maxDocumentsPerTransaction: 10_000,
  /** Digits in an Ion int or decimal coefficient. Arithmetic on bigints is superlinear;
   *  10k digits is far beyond any business number. */
  maxNumberDigits: 10_000,
  /** Length of a table name (QLDB: 128). */
  maxTableNameLength: 128,
  /** Size of one journal segment before a new one starts. */
  segmentBytes: 64 * 1024 * 1024,
  /** Payload of one journal frame, i.e. one group-commit batch of blocks. Recovery refuses
   *  larger length fields before reading, so a corrupted length cannot cause a huge
   *  allocation; the committer must split batches above it (a single block always fits). */
  maxFrameBytes: 256 * 1024 * 1024,
  /** Zeros written ahead of the journal tail at a time (and the initial size of a segment).
   *  Commits then overwrite preallocated space without metadata updates; 1 MiB costs a few
   *  milliseconds once per thousands of commits. */
  journalPreallocateBytes: 1024 * 1024,
  /** Encoded size of one statement parameter. Parameters are held in memory, hashed into the
   *  statementDigest and journaled with the block; the document limit bounds them for the same
   *  reasons. */
  maxParameterBytes: 8 * 1024 * 1024,
  /** Length of one PartiQL statement in UTF-16 code units. Lexing and parsing are linear, but
   *  the AST of a huge statement is held in memory while it runs; 1 MiB is far beyond any
   *  hand-written query, and bulk data belongs in `?` parameters, not in statement text. */
  maxStatementLength: 1024 * 1024,
  /** UTF-16 code units a string made while evaluating a statement may hold (`||`, TEXT_REPLACE,
   *  OVERLAY, UPPER, …). Twice maxDocumentBytes, so two of the longest document strings still
   *  concatenate; without it a statement of a few kilobytes (TEXT_REPLACE of a 30,000-character
   *  string into itself, or a LET that doubles a string 27 times) asked for gigabytes and took
   *  the process down (Bun aborted) instead of failing. */
  maxStringLength: 16 * 1024 * 1024,
  /** Nesting depth of a PartiQL expression (parentheses, brackets, subqueries, CASE, unary
   *  operators), checked by the parser and again by the evaluator. Both recurse per level (a few
   *  stack frames each); 500 keeps every runtime far from its stack limit while exceeding any
   *  real query's nesting. */
  maxExpressionDepth: 500,
  /** Steps one LIKE match may take. Matching is O(value length × pattern length) in the worst
   *  case (a `%` that must be retried at every position), so a 200k-character value against a
   *  100k-character pattern took 20 s under Bun and over a minute under Deno; 50 million steps
   *  is about a tenth of a second, far beyond any real pattern's needs. */
  maxLikeSteps: 50_000_000,
  /** Binding rows one FROM source or join may hold at once. Joins are nested loops that keep
   *  their result, which grows as the product of the sources: a 5-way self-join of a 20-row table
   *  (3.2 million rows) took 10 s and 3 GB under Deno, and one more table exhausted memory and
   *  killed the process. 5 million rows holds a scan of any table this in-memory engine keeps, or
   *  the cross product of two 2,000-row tables; rows made and dropped one outer row at a time (a
   *  correlated subquery's) are not limited. */
  maxBindingRows: 5_000_000,
  /** Values those binding rows may hold together: rows times the variables each binds. Each
   *  source a join adds widens every row, so the row limit alone let a 23-way self-join of a
   *  2-row table (2^22 rows of 22 values) reach 6.3 GB under Bun in 24 s and kill Deno's process
   *  out of memory, and a 7-way one of a 10-row table take 2.2 GB. 10 million holds a scan of 5
   *  million documents and the cross product of two 2,000-row tables (8 million values). */
  maxBindingValues: 10_000_000,
  /** Wall time, in milliseconds, that evaluating one statement may take. The evaluator runs on
   *  the caller's thread, so a query whose work grows as the product of its tables (a correlated
   *  subquery over a large table: 20,000 cars each compared with every other is 400 million
   *  evaluations) would hold the process for hours. QLDB ended every transaction after 30 s, so
   *  no statement that ran there is refused here. Checked every few thousand evaluation steps. */
  maxStatementMillis: 30_000,
  /** Edits (SET, REMOVE, INSERT INTO items) one UPDATE makes to each document. Each edit copies
   *  the document's fields, so n edits cost n times the document: 20,000 of them on one document
   *  took 3.4 s under Bun and 13.6 s under Deno, and 40,000 ran into maxStatementMillis. A
   *  thousand is more than any hand-written statement, and costs milliseconds a document. */
  maxUpdateEdits: 1_000,
  /** Values (scalars and containers, counted wherever they appear) that one value may expand to
   *  when it is converted, checked, copied or returned in full. A value can hold the same subtree
   *  in many places (a JS object referenced twice, a PartiQL LET that doubles a list), so one of a
   *  few hundred bytes can stand for 2^30 values: a 25-level doubling took 10 GB and 40 s under
   *  Bun to be refused and killed Deno (out of memory). Every value of a document takes at least
   *  one byte of Ion, so this refuses nothing within maxDocumentBytes; values to be stored are
   *  also held to that many bytes, counting their strings and lobs, while they are converted.
   *  The documents one transaction writes are held to it together, as they are written (a block
   *  of them in memory; 8 million small ints took about 800 MB of RSS under either runtime). */
  maxValueNodes: 8 * 1024 * 1024,
  /** Symbols the shared-table imports of one Ion symbol table may declare (`max_id`s, summed).
   *  Each becomes an entry of the reader's symbol table, so a hostile `max_id: 2^40`, or many
   *  imports, must not be honoured; the journal's own import has 25. */
  maxImportedSymbols: 100_000,
  /** The `retries` option of Ledger.open and transaction(). Each retry runs the function again
   *  after a jittered backoff of up to 100 ms, so 1,000 bounds a transaction that keeps
   *  conflicting to under two minutes before OCC_CONFLICT reaches the caller. */
  maxRetries: 1_000,
  /** Hashes in a proof that verifiers and the evidence reader accept: at most 53 siblings in the
   *  digest tree (2^53 blocks), the previous block hash, 2 in a block's entries tree and 23 in its
   *  revision tree (a block of maxValueNodes revisions; maxDocumentsPerTransaction does not count
   *  table definitions): 79. Longer is not a proof, and walking every element of a list claiming
   *  2^32 of them (a Proxy) took hours. */
  maxProofLength: 80,
} as const;

export type Limits = typeof limits;
