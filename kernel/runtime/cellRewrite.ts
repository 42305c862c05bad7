// The rewrite that gives a cell the notebook's scope without touching the kernel's own globals.
//
// A cell's top-level names live in the notebook scope S, a plain object the runtime owns (not
// globalThis), so `const performance = …` or `function process() {}` in a cell can never replace
// what the kernel, the engine or the JSON-RPC transport call by those names. Scope analysis
// (eslint-scope) resolves every identifier of the cell, and each one is read where it lives:
//
//   declared by this cell at top level        →  S.name       (declarations become assignments)
//   known to the notebook (earlier cells, display helpers, the cells' timers)  →  S.name
//   a global of the kernel (Math, Float32Array, console, …)                    →  name, untouched
//   unknown yet (a function calling one a later cell defines)                   →  K.lookup("name")
//
// Local names (parameters, block-scoped names, names inside functions) are left alone, so hot
// loops in cells compile to the same code as before. A write to a const, this cell's or an
// earlier one's, throws as JavaScript does. `await x` becomes `await K.guard(x)`, and
// `for await (… of xs)` iterates `K.guardIterable(xs)`: an interrupted cell's continuations then
// never resume (see cellExecution.ts). Where nothing can stop a synchronous loop from outside
// (the browser worker, kernel/browser/interrupt.ts), every loop body starts with `K.tick();`,
// which throws the interrupt once one is asked for. S and K are parameters of the compiled cell
// whose names are chosen not to occur in the cell (cellParams).
import { analyze, type Reference, type Scope, type Variable } from 'eslint-scope';
import type { Node } from 'acorn';
import type MagicString from 'magic-string';

// acorn's node type is loose; these are the fields the rewrite reads.
export interface AstNode extends Node {
  [key: string]: unknown;
}

/** How the notebook knows a name before this cell runs. */
export type KnownName = 'const' | 'variable';

export interface NameTable {
  /** A name declared by an earlier cell or provided to every cell (display, setTimeout, …). */
  known(name: string): KnownName | undefined;
  /** A global of the kernel's realm (Math, console, …), used as it is unless a cell shadows it. */
  isGlobal(name: string): boolean;
}

/** The identifiers of the compiled cell's two parameters. */
export interface CellParams {
  /** The notebook scope S. */
  scope: string;
  /** The cell runtime K (cellApi.ts). */
  runtime: string;
}

export type DeclarationKind = 'const' | 'let' | 'var' | 'function' | 'class' | 'import';

export interface Declaration {
  name: string;
  kind: DeclarationKind;
}

export interface NamedImport {
  /** The export the cell asks for ('default' for a default import). */
  imported: string;
  local: string;
}

export interface ImportRecord {
  specifier: string;
  /** Named imports, checked against the module before the cell runs. */
  names: NamedImport[];
}

export interface RewriteResult {
  declarations: Declaration[];
  functionNames: string[];
  imports: ImportRecord[];
  hasResult: boolean;
}

/** Parameter names that occur nowhere in the cell's text, so no cell name can shadow them. */
export function cellParams(js: string): CellParams {
  let suffix = '';
  for (let n = 1; js.includes(`__rnnlab_scope${suffix}`) || js.includes(`__rnnlab_rt${suffix}`); n++) suffix = String(n);
  return { scope: `__rnnlab_scope${suffix}`, runtime: `__rnnlab_rt${suffix}` };
}

export interface RewriteOptions {
  /** Start every loop body with `K.tick();` (an interrupt check). */
  loopChecks?: boolean;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

export function rewriteCell(program: AstNode, out: MagicString, names: NameTable, params: CellParams, options: RewriteOptions = {}): RewriteResult {
  const manager = analyze(program as never, { ecmaVersion: 2025, sourceType: 'module' });
  const moduleScope = manager.globalScope!.childScopes.find((s) => s.type === 'module')!;
  const S = params.scope;
  const K = params.runtime;
  const parents = parentMap(program);

  const declarations = moduleDeclarations(moduleScope);
  const constNames = new Set(declarations.filter((d) => d.kind === 'const' || d.kind === 'import').map((d) => d.name));
  const isConst = (name: string, own: boolean) => (own ? constNames.has(name) : names.known(name) === 'const');

  // 1. Identifiers: one replacement each (all overwrites happen before any insertion).
  const replacements = new Map<number, { end: number; text: string }>();
  const replace = (id: AstNode, text: string) => {
    const parent = parents.get(id);
    const isShorthand = parent?.type === 'Property' && parent.shorthand === true;
    const isPatternDefault = parent?.type === 'AssignmentPattern' && parents.get(parent)?.type === 'Property' && parents.get(parent)!.shorthand === true;
    const prefix = isShorthand || isPatternDefault ? `${id.name as string}: ` : '';
    replacements.set(id.start, { end: id.end, text: prefix + (isCallee(id, parent) ? `(0, ${text})` : text) });
  };
  for (const scope of allScopes(manager.globalScope!)) {
    for (const reference of scope.references as Reference[]) {
      const id = reference.identifier as unknown as AstNode;
      const name = id.name as string;
      const resolved = reference.resolved;
      const own = resolved !== null && resolved.scope === moduleScope;
      if (resolved !== null && !own) continue; // a local name of the cell
      const isWrite = reference.isWrite() && !reference.init;
      if (own || names.known(name) !== undefined) {
        replace(id, isWrite && isConst(name, own) ? `${K}.constant(${S}, ${JSON.stringify(name)}).value` : `${S}.${name}`);
      } else if (!names.isGlobal(name)) {
        const isTypeof = parents.get(id)?.type === 'UnaryExpression' && parents.get(id)!.operator === 'typeof';
        if (isWrite) replace(id, `${K}.binding(${JSON.stringify(name)}).value`);
        else replace(id, `${K}.lookup(${JSON.stringify(name)}${isTypeof ? ', true' : ''})`);
      }
    }
  }

  // 2. Declarations of module-scope names become assignments to S.
  const functionNames: string[] = [];
  const imports: ImportRecord[] = [];
  const sealAfter = new Map<number, string[]>(); // end of a `const` statement → its names
  walk(program, (node) => {
    if (node.type !== 'VariableDeclaration') return;
    const variables = manager.getDeclaredVariables(node as never);
    if (!variables.some((v) => v.scope === moduleScope)) return;
    rewriteVariableDeclaration(node, parents.get(node), out, S, replacements);
    if (node.kind === 'const') sealAfter.set(node.end, variables.map((v) => v.name));
  });
  const body = program.body as AstNode[];
  for (const statement of body) {
    const node = declarationOf(statement);
    if (node.type === 'FunctionDeclaration' && node.id) functionNames.push((node.id as AstNode).name as string);
    if (node.type === 'ClassDeclaration' && node.id) {
      // A class declaration has no `;`, and the next line may start with `(`.
      out.appendRight(node.start, `;${S}.${(node.id as AstNode).name as string} = `);
      out.appendLeft(node.end, ';');
    }
    if (node.type === 'ImportDeclaration') imports.push(rewriteImport(node, out, S, K));
  }

  // contentOnly: what other steps insert at an identifier's edges (`(`, `K.guard(`) stays.
  for (const [start, { end, text }] of replacements) out.overwrite(start, end, text, { contentOnly: true });

  // 3. Awaits, dynamic imports, import.meta, and `const` names made read-only once assigned.
  for (const [end, declared] of sealAfter) out.appendLeft(end, `;${K}.seal(${S}, ${JSON.stringify(declared)});`);
  walk(program, (node) => {
    if (node.type === 'AwaitExpression' && node.argument) {
      const argument = node.argument as AstNode;
      out.appendRight(argument.start, `${K}.guard(`);
      out.appendLeft(argument.end, ')');
    }
    if (node.type === 'ForOfStatement' && node.await === true) {
      const right = node.right as AstNode;
      out.appendRight(right.start, `${K}.guardIterable(`);
      out.appendLeft(right.end, ')');
    }
    if (options.loopChecks && LOOPS.has(node.type)) checkInLoop(node.body as AstNode, out, K);
    if (node.type === 'ImportExpression') out.overwrite(node.start, node.start + 'import'.length, `${K}.dynamicImport`, { contentOnly: true });
    if (node.type === 'MetaProperty' && (node.meta as AstNode).name === 'import') out.overwrite(node.start, node.end, `${K}.importMeta`, { contentOnly: true });
  });

  showPlotStatements(body, out, K);
  const hasResult = returnLastExpression(body, out);
  return { declarations, functionNames, imports, hasResult };
}

/**
 * `K.tick();` first in a loop's body. A body without braces gets them: `while (c) f();` →
 * `while (c) {K.tick();f();}` (the closing brace before anything later steps add at its end).
 */
function checkInLoop(body: AstNode, out: MagicString, K: string): void {
  if (body.type === 'BlockStatement') {
    out.appendLeft(body.start + 1, `${K}.tick();`);
    return;
  }
  out.appendRight(body.start, `{${K}.tick();`);
  out.prependRight(body.end, '}');
}

/**
 * `heatmap(z);` as a statement shows the plot there, as a notebook user expects (matplotlib's
 * plt.plot does): each call statement of the cell's own flow (top level, and in its loops and
 * blocks, not inside functions it defines) passes its value to K.statement, which displays what the
 * plot helpers return and ignores anything else. The last statement is the cell's result instead.
 */
function showPlotStatements(body: AstNode[], out: MagicString, K: string): void {
  const visit = (node: AstNode, isLast: boolean): void => {
    if (FUNCTION_LIKE.has(node.type)) return;
    if (node.type === 'ExpressionStatement' && !isLast) {
      const expression = node.expression as AstNode;
      const call = expression.type === 'AwaitExpression' ? (expression.argument as AstNode) : expression;
      if (call.type === 'CallExpression') {
        out.appendRight(expression.start, `${K}.statement(`);
        out.appendLeft(expression.end, ')');
      }
      return;
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (Array.isArray(value)) for (const child of value) if (isNode(child)) visit(child, false);
      if (isNode(value) && key !== 'loc') visit(value, false);
    }
  };
  body.forEach((statement, i) => visit(declarationOf(statement), i === body.length - 1));
}

const FUNCTION_LIKE = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassDeclaration', 'ClassExpression', 'MethodDefinition', 'PropertyDefinition']);

/** The names this cell declares at top level, with how they were declared. */
function moduleDeclarations(moduleScope: Scope): Declaration[] {
  return (moduleScope.variables as Variable[]).map((variable) => ({ name: variable.name, kind: declarationKind(variable) }));
}

function declarationKind(variable: Variable): DeclarationKind {
  const def = variable.defs[0]!;
  switch (def.type) {
    case 'FunctionName':
      return 'function';
    case 'ClassName':
      return 'class';
    case 'ImportBinding':
      return 'import';
    default: {
      const kind = (def.parent as { kind?: string } | null)?.kind;
      return kind === 'const' || kind === 'let' ? kind : 'var';
    }
  }
}

/**
 * `const {a, b: [c]} = v, d;` → `;({a: S.a, b: [S.c]} = v), (S.d = undefined);` (the identifiers
 * themselves are rewritten as references); `for (var i = 0; …)` → `for (S.i = 0; …)`.
 */
function rewriteVariableDeclaration(
  node: AstNode,
  parent: AstNode | undefined,
  out: MagicString,
  S: string,
  replacements: Map<number, { end: number; text: string }>,
): void {
  const declarators = node.declarations as AstNode[];
  const isLoopHead =
    (parent?.type === 'ForStatement' && parent.init === node) ||
    ((parent?.type === 'ForInStatement' || parent?.type === 'ForOfStatement') && parent.left === node);
  // `;` guards against a previous line without one, but not where it would end an `if (c)`.
  const isStatementList = parent?.type === 'Program' || parent?.type === 'BlockStatement';
  out.overwrite(node.start, declarators[0]!.start, isLoopHead || !isStatementList ? '' : ';', { contentOnly: true });
  for (const declarator of declarators) {
    const id = declarator.id as AstNode;
    if (!declarator.init && !isLoopHead) {
      // `let x;` (re-)runs as `x = undefined`, as in a fresh scope; `var x;` keeps the value.
      const name = id.name as string;
      replacements.set(id.start, { end: id.end, text: node.kind === 'var' ? 'void 0' : `${S}.${name} = undefined` });
    }
    if (!isLoopHead) {
      out.appendRight(declarator.start, '(');
      out.appendLeft(declarator.end, ')');
    }
  }
}

/** `import { a as b } from 'm'` → `S.b = K.member(K.imported("m"), "a", "m");` */
function rewriteImport(node: AstNode, out: MagicString, S: string, K: string): ImportRecord {
  const specifier = (node.source as AstNode).value as string;
  const module = `${K}.imported(${JSON.stringify(specifier)})`;
  const assignments: string[] = [];
  const named: NamedImport[] = [];
  for (const s of node.specifiers as AstNode[]) {
    const local = (s.local as AstNode).name as string;
    if (s.type === 'ImportNamespaceSpecifier') assignments.push(`${S}.${local} = ${module};`);
    else if (s.type === 'ImportDefaultSpecifier') assignments.push(`${S}.${local} = ${K}.defaultOf(${module});`);
    else {
      const imported = s.imported as AstNode;
      const name = (imported.type === 'Literal' ? imported.value : imported.name) as string;
      named.push({ imported: name, local });
      assignments.push(`${S}.${local} = ${K}.member(${module}, ${JSON.stringify(name)}, ${JSON.stringify(specifier)});`);
    }
  }
  out.overwrite(node.start, node.end, assignments.length > 0 ? assignments.join(' ') : `${module};`);
  return { specifier, names: named };
}

/** `export const x = 1` in a cell means the same as `const x = 1`. */
function declarationOf(node: AstNode): AstNode {
  if (node.type === 'ExportNamedDeclaration' && node.declaration) return node.declaration as AstNode;
  if (node.type === 'ExportDefaultDeclaration') {
    const declaration = node.declaration as AstNode;
    const isNamedDeclaration = (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id;
    return isNamedDeclaration ? declaration : ({ ...declaration, type: 'ExpressionStatement', expression: declaration } as AstNode);
  }
  return node;
}

/**
 * Jupyter shows the last expression, but not an assignment (a statement in Python). The
 * `return { … value: (` goes before the whole statement: `({ a: 1 })` keeps its own parentheses.
 */
function returnLastExpression(body: AstNode[], out: MagicString): boolean {
  const last = body.at(-1);
  if (!last) return false;
  const node = declarationOf(last);
  if (node.type !== 'ExpressionStatement') return false;
  const expression = node.expression as AstNode;
  if (expression.type === 'AssignmentExpression') return false;
  // For `export default expr`, the declaration node starts at expr, after the removed keyword.
  const start = last.type === 'ExportDefaultDeclaration' ? expression.start : node.start;
  const end = statementEndWithoutSemicolon(node, out);
  // Boxed, in an object without a prototype: an async function returning a thenable would adopt
  // it (the runtime awaits real promises only, and Object.prototype.then must not reach the box).
  out.appendRight(start, 'return { __proto__: null, value: (');
  out.appendLeft(end, ') }');
  return true;
}

function statementEndWithoutSemicolon(node: AstNode, out: MagicString): number {
  const text = out.original;
  let end = node.end;
  if (text[end - 1] === ';') end--;
  return Math.max(end, (node.expression as AstNode).end);
}

/** `f()` must not become a method call of S: `(0, S.f)()` keeps `this` undefined in f. */
function isCallee(id: AstNode, parent: AstNode | undefined): boolean {
  return (parent?.type === 'CallExpression' && parent.callee === id) || (parent?.type === 'TaggedTemplateExpression' && parent.tag === id);
}

export function exportStatementsToRemove(program: AstNode): AstNode[] {
  return (program.body as AstNode[]).filter(
    (statement) => (statement.type === 'ExportNamedDeclaration' && !statement.declaration) || statement.type === 'ExportAllDeclaration',
  );
}

/** Removes `export` keywords; the declarations stay. */
export function unwrapExports(program: AstNode, out: MagicString): void {
  for (const statement of program.body as AstNode[]) {
    const declaration = statement.declaration as AstNode | undefined;
    if ((statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') && declaration) {
      out.remove(statement.start, declaration.start);
    }
  }
}

function allScopes(scope: Scope): Scope[] {
  const scopes = [scope];
  for (const child of scope.childScopes) scopes.push(...allScopes(child));
  return scopes;
}

function parentMap(program: AstNode): Map<AstNode, AstNode> {
  const parents = new Map<AstNode, AstNode>();
  walk(program, (node, parent) => {
    if (parent) parents.set(node, parent);
  });
  return parents;
}

export function walk(node: AstNode, visit: (node: AstNode, parent: AstNode | null) => void, parent: AstNode | null = null): void {
  visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, visit, node);
    } else if (isNode(value)) walk(value, visit, node);
  }
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
