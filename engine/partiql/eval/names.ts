/**
 * Case-insensitive name matching, as PartiQL resolves unquoted names against field names.
 *
 * A field name compared case-insensitively was lower-cased per comparison, a new string each
 * time: for unqualified names in a WHERE (implicit attributes) that led a full-table scan's
 * profile (median 451k → 538k rows/s once removed), and for `c.Year` paths it was 55% of the
 * bench's query.scan (bun:jsc profile). Instead the name's lower case is remembered, and a field
 * is compared by folding ASCII letters in place. An ASCII name can only match a field of its own
 * length (a character that lower-cases to an ASCII letter, such as the Kelvin sign, is one
 * character too); any other name is compared the full way.
 */

/** A name as case-insensitive comparisons need it. */
export interface FoldedName {
  readonly lower: string;
  readonly ascii: boolean;
}

const folded = new Map<string, FoldedName>();
const FOLDED_LIMIT = 4096;

/** The folded form of `name` (remembered; the names of a statement recur for every row). */
export function foldedName(name: string): FoldedName {
  let f = folded.get(name);
  if (f === undefined) {
    if (folded.size >= FOLDED_LIMIT) folded.clear();
    f = { lower: name.toLowerCase(), ascii: isAscii(name) };
    folded.set(name, f);
  }
  return f;
}

/** Whether `k` equals `name` (whose folded form is `f`) ignoring case. */
export function foldedMatch(k: string, name: string, f: FoldedName): boolean {
  return f.ascii ? k.length === name.length && foldedEquals(k, f.lower) : k.toLowerCase() === f.lower;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

/** k lower-cased equals `lower` (an ASCII string of k's length). */
function foldedEquals(k: string, lower: string): boolean {
  for (let i = 0; i < k.length; i++) {
    let c = k.charCodeAt(i);
    if (c >= 128) return k.toLowerCase() === lower;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
