// Compiles one notebook cell (TypeScript) into a function of the notebook scope.
//
//   cell.ts ──TypeScript (transpile.ts: ts → js, map A)──▶ js ──acorn + eslint-scope + magic-string (map B)──▶ script
//
// The script evaluates to `(function (S, K) { "use strict"; return (async () => { … })(); })`:
// the cell's body inside an async arrow (top-level `await` works, the last expression statement is
// its return value), its names read and written in the notebook scope S and the runtime reached
// through K, both parameters (cellRewrite.ts). Stack positions are mapped back through B then A
// (see CellSourceMap); the wrapper's opening is on the first line, so lines do not move.
import { parse } from 'acorn';
import MagicString from 'magic-string';
import { CellSourceMap } from './sourceMap';
import { transpileCell } from './transpile';
import {
  cellParams,
  exportStatementsToRemove,
  rewriteCell,
  unwrapExports,
  type AstNode,
  type Declaration,
  type ImportRecord,
  type NameTable,
} from './cellRewrite';

export type { NameTable, Declaration, ImportRecord };

export interface CompiledCell {
  /** A script whose completion value is the cell function `(S, K) => Promise<last expression>`. */
  script: string;
  filename: string;
  /** Top-level names the cell declares; the runtime defines them on the scope before running. */
  declarations: Declaration[];
  /** Static imports, in order; loaded (possibly asynchronously) before the cell runs. */
  imports: ImportRecord[];
  /** True when the cell ends with an expression whose value should be displayed. */
  hasResult: boolean;
  sourceMap: CellSourceMap;
}

/** A TypeScript syntax error, positioned in the cell. */
export class CellSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly lineText: string,
  ) {
    super(message);
    this.name = 'SyntaxError';
  }
}

export interface CompileOptions {
  /** Interrupt checks at loop heads (the browser worker: nothing else stops a synchronous loop there). */
  loopChecks?: boolean;
}

export function compileCell(code: string, filename: string, names: NameTable, options: CompileOptions = {}): CompiledCell {
  const js = transpile(code, filename);
  const program = parseModule(js.code, code, js.map, filename);
  const out = new MagicString(js.code);
  // `export { e }` lists (and TypeScript's `export {}`) mean nothing here.
  const exportLists = exportStatementsToRemove(program);
  for (const statement of exportLists) out.remove(statement.start, statement.end);
  program.body = (program.body as AstNode[]).filter((s) => !exportLists.includes(s));
  unwrapExports(program, out);
  const params = cellParams(js.code);
  const rewrite = rewriteCell(program, out, names, params, { loopChecks: options.loopChecks === true });

  const publish = rewrite.functionNames.map((name) => `${params.scope}.${name} = ${name};`).join(' ');
  // The first line of the wrapper is code of ours; the map makes the cell's lines start after it.
  out.prepend(`(function (${params.scope}, ${params.runtime}) { "use strict"; return (async () => { ${publish}\n`);
  out.append('\n})(); })');
  const script = out.toString();
  const rewriteMap = out.generateMap({ hires: true, source: filename, includeContent: false });
  return {
    script,
    filename,
    declarations: rewrite.declarations,
    imports: rewrite.imports,
    hasResult: rewrite.hasResult,
    sourceMap: new CellSourceMap(JSON.stringify(rewriteMap), js.map),
  };
}

function transpile(code: string, filename: string): { code: string; map: string } {
  const result = transpileCell(code, filename);
  if ('message' in result) throw new CellSyntaxError(result.message, result.line, result.column, result.lineText);
  return result;
}

function parseModule(js: string, original: string, transpileMap: string, filename: string): AstNode {
  try {
    // ranges: eslint-scope reads node.range.
    return parse(js, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true, ranges: true }) as unknown as AstNode;
  } catch (error) {
    // TypeScript accepted it, so this is rare (syntax acorn does not know yet); map its position.
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const mapped = loc ? new CellSourceMap(null, transpileMap).toCell(loc.line, loc.column) : null;
    const line = mapped?.line ?? 1;
    throw new CellSyntaxError(
      `${(error as Error).message.replace(/ \(\d+:\d+\)$/, '')} in ${filename}`,
      line,
      (mapped?.column ?? 0) + 1,
      original.split('\n')[line - 1] ?? '',
    );
  }
}

