/**
 * The Ion layer's public surface: the value model, hashing, binary and text codecs, equality
 * and the JS mapping. Engine code imports from here, not from the individual files.
 */
export * from "./value.ts";
export { ionHash } from "./hash.ts";
export { sha256 } from "./sha256.ts";
export { encodeBinary, decodeBinary } from "./binary.ts";
export { parseText, toText } from "./text.ts";
export { ionEquals } from "./equals.ts";
export { fromJS, toJS, ionLiteral, IonLiteral, isArgumentsObject } from "./js.ts";
