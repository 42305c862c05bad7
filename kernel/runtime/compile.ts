// Compiles one notebook cell (TypeScript) into a script that runs in the kernel's persistent scope.
//
//   cell.ts ──esbuild (ts → esm js, map A)──▶ js ──acorn + magic-string (map B)──▶ script
//
// The rewrite turns top-level declarations into assignments to properties of the scope (the
// kernel's globalThis), so later cells see them and re-running `const x = …` works; imports become
// reads of modules the runtime loaded before the cell started; the body is wrapped in an async
// arrow so top-level `await` works, and the last expression statement becomes its return value.
// Stack positions are mapped back through B then A (see CellSourceMap).
import { transformSync, type Message } from 'esbuild';
import { parse, type Node } from 'acorn';
import MagicString from 'magic-string';
import { CellSourceMap } from './sourceMap';

/** The object cells reach the runtime through; `__rnnlab.imported(spec)` etc. */
export const RUNTIME_GLOBAL = '__rnnlab';

export interface CompiledCell {
  /** A script whose completion value is the Promise of the cell's last expression. */
  script: string;
  filename: string;
  /** Top-level names the cell declares; the runtime defines them on the scope before running. */
  declaredNames: string[];
  /** Function declarations: published to the scope at the top of the cell (they are hoisted). */
  functionNames: string[];
  /** Static import specifiers, in order; loaded (possibly asynchronously) before the cell runs. */
  imports: string[];
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

// acorn's node type is loose; these are the fields the rewrite reads.
interface AstNode extends Node {
  [key: string]: unknown;
}

export function compileCell(code: string, filename: string): CompiledCell {
  const js = transpile(code, filename);
  const program = parseModule(js.code, code, js.map, filename);
  const out = new MagicString(js.code);
  const declared = new Set<string>();
  const functionNames: string[] = [];
  const imports: string[] = [];
  // esbuild moves `export const e` to an `export { e }` list at the end; lists mean nothing here.
  const body = (program.body as AstNode[]).filter((statement) => {
    const isExportList = (statement.type === 'ExportNamedDeclaration' && !statement.declaration) || statement.type === 'ExportAllDeclaration';
    if (isExportList) out.remove(statement.start, statement.end);
    return !isExportList;
  });
  let hasResult = false;

  body.forEach((statement, index) => {
    const isLast = index === body.length - 1;
    const node = unwrapExport(statement, out);
    switch (node.type) {
      case 'ImportDeclaration':
        rewriteImport(node, out, declared, imports);
        break;
      case 'VariableDeclaration':
        rewriteVariables(node, out, declared);
        break;
      case 'FunctionDeclaration': {
        const name = (node.id as AstNode).name as string;
        declared.add(name);
        functionNames.push(name);
        break;
      }
      case 'ClassDeclaration': {
        const name = (node.id as AstNode).name as string;
        declared.add(name);
        // A class declaration has no `;`, and the next line may start with `(`.
        out.appendRight(node.start, `;${name} = `);
        out.appendLeft(node.end, ';');
        break;
      }
      case 'ExpressionStatement':
        if (isLast && isDisplayable(node.expression as AstNode)) {
          const expression = node.expression as AstNode;
          out.appendLeft(expression.start, 'return (');
          out.appendRight(expression.end, ')');
          hasResult = true;
        }
        break;
      default:
        break;
    }
  });
  rewriteDynamicImports(program, out);

  const publish = functionNames.map((name) => `${RUNTIME_GLOBAL}.scope.${name} = ${name};`).join(' ');
  // The first line of the wrapper is code of ours; the map makes the cell's lines start after it.
  out.prepend(`(async () => { "use strict"; ${publish}\n`);
  out.append('\n})()');
  const script = out.toString();
  const rewriteMap = out.generateMap({ hires: true, source: filename, includeContent: false });
  return {
    script,
    filename,
    declaredNames: [...declared],
    functionNames,
    imports,
    hasResult,
    sourceMap: new CellSourceMap(JSON.stringify(rewriteMap), js.map),
  };
}

function transpile(code: string, filename: string): { code: string; map: string } {
  try {
    const result = transformSync(code, {
      loader: 'ts',
      format: 'esm',
      // Whatever this Node cannot run (decorators, `using`, …) is lowered.
      target: `node${process.versions.node}`,
      sourcemap: 'external',
      sourcefile: filename,
      // Keep imports that are only used by later cells (TypeScript would elide them as unused).
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    return { code: result.code, map: result.map };
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    if (!first) throw error;
    const location = first.location;
    throw new CellSyntaxError(
      first.text,
      location?.line ?? 1,
      (location?.column ?? 0) + 1,
      location?.lineText ?? '',
    );
  }
}

function parseModule(js: string, original: string, esbuildMap: string, filename: string): AstNode {
  try {
    return parse(js, { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true }) as unknown as AstNode;
  } catch (error) {
    // esbuild accepted it, so this is rare (e.g. syntax acorn does not know yet); map its position.
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const mapped = loc ? new CellSourceMap(null, esbuildMap).toCell(loc.line, loc.column) : null;
    const line = mapped?.line ?? 1;
    throw new CellSyntaxError(
      `${(error as Error).message.replace(/ \(\d+:\d+\)$/, '')} in ${filename}`,
      line,
      (mapped?.column ?? 0) + 1,
      original.split('\n')[line - 1] ?? '',
    );
  }
}

/** `export const x = 1` in a cell means the same as `const x = 1`. */
function unwrapExport(node: AstNode, out: MagicString): AstNode {
  if (node.type === 'ExportNamedDeclaration' && node.declaration) {
    const declaration = node.declaration as AstNode;
    out.remove(node.start, declaration.start);
    return declaration;
  }
  if (node.type === 'ExportDefaultDeclaration') {
    const declaration = node.declaration as AstNode;
    out.remove(node.start, declaration.start);
    const isNamedDeclaration =
      (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id;
    if (isNamedDeclaration) return declaration;
    return { ...declaration, type: 'ExpressionStatement', expression: declaration } as AstNode;
  }
  return node;
}

function rewriteImport(node: AstNode, out: MagicString, declared: Set<string>, imports: string[]): void {
  const specifier = (node.source as AstNode).value as string;
  imports.push(specifier);
  const module = `${RUNTIME_GLOBAL}.imported(${JSON.stringify(specifier)})`;
  const assignments: string[] = [];
  for (const s of node.specifiers as AstNode[]) {
    const local = (s.local as AstNode).name as string;
    declared.add(local);
    if (s.type === 'ImportNamespaceSpecifier') assignments.push(`${local} = ${module};`);
    else if (s.type === 'ImportDefaultSpecifier') assignments.push(`${local} = ${RUNTIME_GLOBAL}.defaultOf(${module});`);
    else {
      const imported = s.imported as AstNode;
      const name = (imported.type === 'Literal' ? imported.value : imported.name) as string;
      assignments.push(`${local} = ${RUNTIME_GLOBAL}.member(${module}, ${JSON.stringify(name)}, ${JSON.stringify(specifier)});`);
    }
  }
  out.overwrite(node.start, node.end, assignments.length > 0 ? assignments.join(' ') : `${module};`);
}

/** `const {a, b: [c]} = v, d;` → `;({a, b: [c]} = v), (d = undefined);` */
function rewriteVariables(node: AstNode, out: MagicString, declared: Set<string>): void {
  const declarators = node.declarations as AstNode[];
  out.overwrite(node.start, declarators[0].start, ';');
  for (const declarator of declarators) {
    const id = declarator.id as AstNode;
    collectBindingNames(id, declared);
    out.appendRight(declarator.start, '(');
    if (!declarator.init) {
      // `let x;` re-run resets x, as it would in a fresh scope; a bare destructuring can't happen.
      out.appendLeft(declarator.end, ' = undefined');
    }
    out.appendLeft(declarator.end, ')');
  }
}

function collectBindingNames(pattern: AstNode, into: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name as string);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties as AstNode[]) {
        collectBindingNames((property.type === 'RestElement' ? property.argument : property.value) as AstNode, into);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements as (AstNode | null)[]) if (element) collectBindingNames(element, into);
      break;
    case 'RestElement':
      collectBindingNames(pattern.argument as AstNode, into);
      break;
    case 'AssignmentPattern':
      collectBindingNames(pattern.left as AstNode, into);
      break;
    default:
      break;
  }
}

/** Jupyter shows the last expression, but not an assignment (a statement in Python). */
function isDisplayable(expression: AstNode): boolean {
  return expression.type !== 'AssignmentExpression';
}

/**
 * `import(x)` anywhere in the cell goes through the runtime's resolver (vm scripts have none), and
 * `import.meta` (a module-only syntax) becomes the runtime's stand-in for it.
 */
function rewriteDynamicImports(program: AstNode, out: MagicString): void {
  walk(program, (node) => {
    if (node.type === 'ImportExpression') out.overwrite(node.start, node.start + 'import'.length, `${RUNTIME_GLOBAL}.dynamicImport`);
    if (node.type === 'MetaProperty' && (node.meta as AstNode).name === 'import') out.overwrite(node.start, node.end, `${RUNTIME_GLOBAL}.importMeta`);
  });
}

function walk(node: AstNode, visit: (node: AstNode) => void): void {
  visit(node);
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, visit);
    } else if (isNode(value)) walk(value, visit);
  }
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
