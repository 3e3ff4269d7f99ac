/**
 * Reading schema files: loads them into a ts-morph project (imports resolved, so `Int`,
 * `Decimal` and `Temporal` are recognised by their declarations) and finds the table
 * declarations — exported interfaces and type aliases tagged `/** @table cars *\/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type InterfaceDeclaration,
  type JSDocTag,
  Node,
  Project,
  type SourceFile,
  ts,
  type TypeAliasDeclaration,
} from "ts-morph";
import { checkTableName } from "../engine/index.ts";
import type { Diagnostics } from "./errors.ts";

export interface TableDeclaration {
  /** The tag's value: the ledger table name and the accessor name (`db.cars`). */
  readonly table: string;
  /** The exported type's name (`Car`). */
  readonly typeName: string;
  readonly declaration: InterfaceDeclaration | TypeAliasDeclaration;
  /** Absolute path of the schema file declaring it. */
  readonly file: string;
}

/** QLDB's rule for table names: a letter or underscore, then letters, digits, underscores. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Compiler settings for reading schemas: strict, modern module resolution, no DOM. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  lib: ["lib.es2024.d.ts"],
  types: [],
};

/** Loads the schema files (absolute paths); a missing file is a diagnostic. */
export function loadSchemaFiles(files: readonly string[], diags: Diagnostics): SourceFile[] {
  const project = new Project({ compilerOptions: COMPILER_OPTIONS, skipAddingFilesFromTsConfig: true });
  const sources: SourceFile[] = [];
  for (const file of files) {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      diags.add({
        code: "FILE_NOT_FOUND",
        file,
        line: 1,
        column: 1,
        path: "",
        message: `schema file not found (looked for ${file})`,
        fix: "pass the path of a .ts file that declares the table interfaces; relative paths are taken from the current directory, which under `npm run` is the package root",
      });
      continue;
    }
    sources.push(project.addSourceFileAtPath(file));
  }
  project.resolveSourceFileDependencies();
  // The schema files and every file they import: a field dropped from an imported type is lost
  // just the same. Packages (node_modules) are not the user's to fix.
  const program = project.getProgram().compilerObject;
  for (const source of project.getSourceFiles()) {
    if (!source.getFilePath().split("/").includes("node_modules")) syntaxErrors(source, program, diags);
  }
  return sources;
}

/**
 * The file's syntax errors as diagnostics. TypeScript's parser recovers from them silently (a
 * field written `age Int;` just disappears from the interface), so a schema that does not parse
 * must be refused, not generated from what was left.
 */
function syntaxErrors(source: SourceFile, program: ts.Program, diags: Diagnostics): void {
  const file = path.resolve(source.getFilePath());
  for (const d of program.getSyntacticDiagnostics(source.compilerNode)) {
    const at = d.start === undefined ? { line: 1, column: 1 } : source.getLineAndColumnAtPos(d.start);
    diags.add({
      code: "SYNTAX_ERROR",
      file,
      line: at.line,
      column: at.column,
      path: "",
      message: ts.flattenDiagnosticMessageText(d.messageText, " "),
      fix: "fix the TypeScript syntax of the schema file",
    });
  }
}

/** Finds every `@table` declaration; misplaced or malformed tags are diagnostics. */
export function findTables(sources: readonly SourceFile[], diags: Diagnostics): TableDeclaration[] {
  const tables: TableDeclaration[] = [];
  for (const source of sources) {
    const file = path.resolve(source.getFilePath());
    for (const statement of source.getStatements()) {
      if (!Node.isJSDocable(statement)) continue;
      const tags = statement.getJsDocs().flatMap((doc) => doc.getTags()).filter((t) => t.getTagName() === "table");
      if (tags.length === 0) continue;
      const at = (node: Node, p: string, message: string, fix: string) =>
        diags.add({ code: "BAD_TABLE", file, line: node.getStartLineNumber(), column: column(node), path: p, message, fix });
      if (!Node.isInterfaceDeclaration(statement) && !Node.isTypeAliasDeclaration(statement)) {
        at(tags[0], "", `@table is on a ${statement.getKindName()}`, "put @table on an exported interface or type alias");
        continue;
      }
      const typeName = statement.getName();
      if (tags.length > 1) {
        at(tags[1], typeName, "more than one @table tag", "keep one @table tag per type");
        continue;
      }
      const table = tagValue(tags[0]);
      if (table === "") {
        at(tags[0], typeName, "@table has no table name", `write /** @table ${suggestTableName(typeName)} */`);
        continue;
      }
      if (!TABLE_NAME.test(table)) {
        at(
          tags[0],
          typeName,
          `invalid table name "${table}"`,
          "use letters, digits and underscores, starting with a letter or underscore (at most 128 characters)",
        );
        continue;
      }
      // The accessor is a key of the generated schema object and of the client, where
      // `__proto__` sets the prototype instead: the table would vanish from both.
      if (table === "__proto__") {
        at(tags[0], typeName, `table name "__proto__" cannot be used: JavaScript objects take it for their prototype, so the table would be lost`, `choose another name, e.g. ${suggestTableName(typeName)}`);
        continue;
      }
      // The engine's own rule too (names of system views are reserved), so a schema that
      // generates also connects.
      const refused = engineRefusal(checkTableName, table);
      if (refused !== undefined) {
        at(tags[0], typeName, refused, `choose another name, e.g. ${suggestTableName(typeName)}`);
        continue;
      }
      if (!(source.getExportedDeclarations().get(typeName) ?? []).includes(statement)) {
        at(statement.getNameNode(), typeName, "a @table type must be exported under its own name", `write export ${statement.getKindName() === "InterfaceDeclaration" ? "interface" : "type"} ${typeName}`);
        continue;
      }
      tables.push({ table, typeName, declaration: statement, file });
    }
  }
  return tables;
}

/** Why the engine's `check` (checkTableName, checkFieldName) refuses `name`, or undefined if it takes it. */
export function engineRefusal(check: (name: string) => void, name: string): string | undefined {
  try {
    check(name);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A tag's first word (`@table cars` -> `cars`). */
export function tagValue(tag: JSDocTag): string {
  const text = tag.getCommentText() ?? "";
  return text.trim().split(/\s+/)[0] ?? "";
}

export function column(node: Node): number {
  return node.getSourceFile().getLineAndColumnAtPos(node.getStart()).column;
}

function suggestTableName(typeName: string): string {
  const lower = typeName.charAt(0).toLowerCase() + typeName.slice(1);
  return lower.endsWith("s") ? lower : `${lower}s`;
}
