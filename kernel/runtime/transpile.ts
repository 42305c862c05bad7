// TypeScript → JavaScript for one cell, with TypeScript's own compiler (transpileModule: syntax
// only, no type check). Pure JavaScript, so the same package compiles cells on every platform
// VS Code runs on and in a browser worker; no native binary. Measured against the candidates
// (README, "Cells"): esbuild needs a binary per platform (its wasm build takes ~1 s to start and
// ~45 ms a cell in-process), sucrase silently drops namespaces and cannot lower decorators.
// TypeScript loads in ~0.5–1 s (the kernel loads it right after start, warmUpTranspiler) and
// compiles a cell in a few ms.
//
// Target ES2022: what Node 20 lacks is lowered (TC39 decorators, `accessor`, `using`); class
// fields stay native. verbatimModuleSyntax keeps every import a cell writes, used or not: a later
// cell may use it (only `import type` goes).
import type * as TS from 'typescript';
import { host } from '../host/index';

export interface Transpiled {
  code: string;
  /** Source map (v3, JSON) from the cell's text to `code`. */
  map: string;
}

/** A syntax error, positioned in the cell (line 1-based, column 1-based). */
export interface TranspileError {
  message: string;
  line: number;
  column: number;
  lineText: string;
}

let typescript: typeof TS | null = null;

function compiler(): typeof TS {
  // Loaded on first use (9 MB of JavaScript): the kernel answers `initialize` without waiting.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  typescript ??= require('typescript') as typeof TS;
  return typescript;
}

/** Loads the compiler now, so that the first cell does not wait for it. */
export function warmUpTranspiler(): void {
  transpileCell('', 'warm-up');
}

/**
 * Never cut short by an interrupt (kernel/node/interrupt.ts): a require() of the compiler terminated halfway
 * would leave it unusable, and compiling takes milliseconds once it is loaded.
 */
export function transpileCell(code: string, filename: string): Transpiled | TranspileError {
  return host().interrupt.uninterruptible(() => transpileNow(code, filename));
}

function transpileNow(code: string, filename: string): Transpiled | TranspileError {
  const ts = compiler();
  const commonJs = commonJsImport(ts, code, filename);
  if (commonJs) return commonJs;
  const output = ts.transpileModule(code, {
    fileName: `${filename}.ts`,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
      useDefineForClassFields: true,
      sourceMap: true,
      inlineSources: false,
      newLine: ts.NewLineKind.LineFeed,
    },
  });
  const error = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const position = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
    return {
      message: ts.flattenDiagnosticMessageText(error.messageText, '\n'),
      line: position.line + 1,
      column: position.character + 1,
      lineText: code.split('\n')[position.line] ?? '',
    };
  }
  // The map travels with the cell; the comment pointing at a .map file must not.
  const js = output.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { code: js, map: output.sourceMapText ?? '{"version":3,"sources":[],"names":[],"mappings":""}' };
}

/**
 * `import fs = require('node:fs')` is CommonJS: with ES modules TypeScript drops it without a
 * word (its error is a semantic one, which transpileModule does not report), and the cell then
 * fails with "fs is not defined". Said plainly instead, with what to write.
 */
function commonJsImport(ts: typeof TS, code: string, filename: string): TranspileError | null {
  if (!/\bimport\b[^=;]*=\s*require\s*\(/.test(code)) return null;
  const source = ts.createSourceFile(`${filename}.ts`, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    if (!ts.isImportEqualsDeclaration(statement) || !ts.isExternalModuleReference(statement.moduleReference)) continue;
    const name = statement.name.text;
    const specifier = statement.moduleReference.expression.getText(source);
    const at = source.getLineAndCharacterOfPosition(statement.getStart(source));
    return {
      message: `import ${name} = require(${specifier}) is CommonJS, which a cell does not run: write import * as ${name} from ${specifier}`,
      line: at.line + 1,
      column: at.character + 1,
      lineText: code.split('\n')[at.line] ?? '',
    };
  }
  return null;
}
