/**
 * The Ion layer's public surface: the value model, hashing, binary and text codecs, equality
 * and the JS mapping. Engine code imports from here, not from the individual files.
 *
 * The helpers that take a model value (ionHash, encodeBinary, toText, ionEquals, toJS) check it
 * first when called from here: an application may build one by hand, and a malformed one threw
 * a runtime TypeError (`{kind: "struct", fields: 5}`) or passed as another value (`ionHash` of an
 * int whose value is a JS number). A value that is not one Ion can hold is TYPE_ERROR, one too
 * large LIMIT_EXCEEDED, at its path from `$`. The engine's own calls go to the files directly:
 * its values are well-formed by construction.
 */
import type { SharedSymbolTable } from "./shared-symbols.ts";
import type { IonValue } from "./value.ts";
import { ionHash as hashOf } from "./hash.ts";
import { encodeBinary as encode } from "./binary.ts";
import { toText as textOf } from "./text.ts";
import { ionEquals as equals } from "./equals.ts";
import { requireModelValue, toJS as jsOf } from "./js.ts";
import { ownDigest, sha256 as digestOf } from "./sha256.ts";

export * from "./value.ts";
export { decodeBinary } from "./binary.ts";
export { parseText } from "./text.ts";
export { fromJS, ionLiteral, IonLiteral, isArgumentsObject } from "./js.ts";

/** SHA-256 of `bytes`: 32 bytes in an array of their own. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return ownDigest(digestOf(bytes));
}

/** Ion Hash (SHA-256) of `v`, byte-identical to ion-hash-js's (see hash.ts). */
export function ionHash(v: IonValue): Uint8Array {
  requireModelValue(v);
  return ownDigest(hashOf(v));
}

/** A complete Ion 1.0 binary stream of one value or a sequence of them (see binary-write.ts). */
export function encodeBinary(values: readonly IonValue[] | IonValue, shared?: SharedSymbolTable): Uint8Array {
  if (Array.isArray(values)) for (const v of values) requireModelValue(v);
  else requireModelValue(values);
  return encode(values, shared);
}

/** Ion text of one value; parseText(toText(v)) is equivalent to v (see text.ts). */
export function toText(v: IonValue): string {
  requireModelValue(v);
  return textOf(v);
}

/** True when `a` and `b` are the same Ion value, exact data-model equivalence (see equals.ts). */
export function ionEquals(a: IonValue, b: IonValue): boolean {
  requireModelValue(a);
  requireModelValue(b);
  return equals(a, b);
}

/** The JavaScript value for `v`, by js.ts's toJS rules. */
export function toJS(v: IonValue): unknown {
  requireModelValue(v);
  return jsOf(v);
}
