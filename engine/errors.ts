/**
 * One error class for everything the engine reports, with a stable `code`.
 *
 * Callers branch on `code`, never on `message` (messages may improve between versions).
 * `details` carries structured context (a field path, a file and offset, a line and column).
 *
 * @example
 * ```ts
 * try { await Ledger.open(dir); } catch (e) {
 *   if (e instanceof LedgerError && e.code === "LEDGER_LOCKED") console.log("already open elsewhere");
 * }
 * ```
 */
export type LedgerErrorCode =
  /** Another transaction committed a conflicting change since this one's snapshot. Retryable. */
  | "OCC_CONFLICT"
  /** A statement could not be parsed; details carry line and column. */
  | "PARSE_ERROR"
  /** A value does not have the type an operation needs; details carry the path. */
  | "TYPE_ERROR"
  | "TABLE_NOT_FOUND"
  | "TABLE_EXISTS"
  | "DOCUMENT_NOT_FOUND"
  | "INDEX_NOT_FOUND"
  | "INDEX_EXISTS"
  /** The journal is damaged before its tail; details carry the file and the offset. */
  | "JOURNAL_CORRUPT"
  /** Another `Ledger.open` (this process or another) holds the directory. */
  | "LEDGER_LOCKED"
  /** The ledger was closed. */
  | "LEDGER_CLOSED"
  /**
   * The ledger can no longer vouch for its state: the journal could not restore its tail after an
   * I/O error, or a durable block could not be published. Reopen it (open replays the journal).
   */
  | "LEDGER_FAILED"
  /** A configured limit (limits.ts) was exceeded. */
  | "LIMIT_EXCEEDED"
  /** A proof, digest or address does not fit this ledger, or an argument is malformed. */
  | "INVALID_ARGUMENT"
  /** Text or bytes are not valid Ion. */
  | "ION_PARSE_ERROR"
  /** The file system failed (write, sync, read). */
  | "IO_ERROR"
  /** A transaction was used after it finished. */
  | "TRANSACTION_CLOSED"
  /** A query failed on a well-typed value: division by zero, a bad format pattern, an argument out of range. */
  | "EVALUATION_ERROR"
  /** A query names a variable that is bound nowhere (no FROM alias, LET, table or global). */
  | "VARIABLE_NOT_FOUND"
  /** A query calls a function that does not exist, or with the wrong number of arguments. */
  | "FUNCTION_NOT_FOUND";

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: LedgerErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "LedgerError";
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is a LedgerError, optionally with the given code. */
export function isLedgerError(e: unknown, code?: LedgerErrorCode): e is LedgerError {
  return e instanceof LedgerError && (code === undefined || e.code === code);
}

/**
 * Runs `read` over a caller's argument: a LedgerError it throws passes through, and anything else
 * (a getter, a Proxy trap, a revoked Proxy) becomes INVALID_ARGUMENT saying `what` could not be
 * read, never the caller's own exception escaping from inside the engine.
 */
export function readingArgument<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    throw new LedgerError("INVALID_ARGUMENT", `${what} could not be read (${describeThrown(e)})`, {}, e);
  }
}

/**
 * What an application's code threw, as text for a LedgerError's message, without running more of
 * its code that could throw: `String(Object.create(null))` throws a TypeError itself, and so may
 * a thrown object's `message` getter.
 */
export function describeThrown(e: unknown): string {
  try {
    if (e instanceof Error) {
      const message: unknown = e.message;
      return typeof message === "string" ? message : "an Error without a message";
    }
    return String(e);
  } catch {
    // fall through
  }
  return "a value that cannot be shown";
}
