/**
 * Import paths in the generated file: always relative to the output directory (never absolute,
 * so the output is the same on every machine), with forward slashes and the `.ts` extension
 * that Bun and Deno resolve.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The client runtime the generated code imports by default: this repository's client/index.ts. */
export const DEFAULT_RUNTIME = fileURLToPath(new URL("../client/index.ts", import.meta.url));

/** `./x.ts` or `../a/x.ts`: the import specifier for `target` from a file in `fromDir`. */
export function relativeImport(fromDir: string, target: string): string {
  const rel = path.relative(fromDir, target).split(path.sep).join("/");
  return rel.startsWith("../") || rel.startsWith("./") ? rel : `./${rel}`;
}

/**
 * The runtime import specifier. A path (absolute, starting with `.`, or naming an existing file
 * relative to `cwd`) is resolved against `cwd` and imported relative to the output directory; any
 * other specifier (`quire`, `npm:quire`, `jsr:@x/quire`) is used as written.
 */
export function runtimeSpecifier(outDir: string, runtimeImport: string | undefined, cwd: string): string {
  if (runtimeImport === undefined) return relativeImport(outDir, DEFAULT_RUNTIME);
  if (isFilePath(runtimeImport, cwd)) return relativeImport(outDir, path.resolve(cwd, runtimeImport));
  return runtimeImport;
}

function isFilePath(spec: string, cwd: string): boolean {
  if (spec.startsWith(".") || path.isAbsolute(spec) || /^[A-Za-z]:[\\/]/.test(spec)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(spec) && fs.existsSync(path.resolve(cwd, spec));
}
