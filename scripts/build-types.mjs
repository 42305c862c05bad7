// The declarations of RNN Lab's public API, each in one file, with TypeScript's own compiler:
//
//   dist/types/rnn-lab.d.ts       what `import … from 'rnn-lab'` gives: package.json "types", and
//                                 the kernel's language service (kernel/runtime/languageService/)
//   dist/types/cell-globals.d.ts  what every cell sees without an import (display, plotLoss, …,
//                                 the cells' timers), as globals; from kernel/runtime/languageService/cellGlobals.ts
//   dist/types/lib.d.ts           the ECMAScript library cells run against (ES2023, disposables,
//                                 decorators), TypeScript's lib files in one, for the language service
//
// 1. tsc --declaration --emitDeclarationOnly --stripInternal over kernel/api.ts and cellGlobals.ts,
//    in memory (one .d.ts per source file).
// 2. A bundle of each entry: the declarations reachable from its exports (through every type they
//    mention), top-level names made unique, the imports between our files dropped, one export
//    list at the end. What is not reachable (the engine's kernels, the worker protocol) is not in
//    it; what is marked @internal (a member, a declaration, or an export specifier of an index)
//    is not either.
// 3. A check: the bundles compile on their own, with no error.
//
// Skipped when every output is newer than this script and every source the last build read
// (`node scripts/build-types.mjs --force` builds anyway).
import ts from 'typescript';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KERNEL = path.join(ROOT, 'kernel');
const OUT = path.join(ROOT, 'dist', 'types');
const API_ENTRY = path.join(KERNEL, 'api.ts');
const GLOBALS_ENTRY = path.join(KERNEL, 'runtime', 'languageService', 'cellGlobals.ts');
export const OUTPUTS = {
  api: path.join(OUT, 'rnn-lab.d.ts'),
  globals: path.join(OUT, 'cell-globals.d.ts'),
  lib: path.join(OUT, 'lib.d.ts'),
};
/** The libraries cells are checked against: Node 20 runs ES2023; `using` and decorators are lowered. */
const CELL_LIBS = ['es2023', 'esnext.disposable', 'decorators', 'decorators.legacy'];
/** The sources of the last build (to tell whether it is up to date). */
const SOURCES = path.join(OUT, '.sources.json');
/** Where the per-file declarations would go; nothing is written there. */
const EMIT_DIR = path.join(ROOT, '.declarations');

const slash = (p) => p.replace(/\\/g, '/');

export async function buildTypes({ force = false, log = console.log } = {}) {
  if (!force && upToDate()) {
    log('types up to date: dist/types/');
    return;
  }
  const started = performance.now();
  const { emitted, sources } = emitDeclarations([API_ENTRY, GLOBALS_ENTRY]);
  const program = declarationProgram(emitted);
  const api = bundle(program, emitted, dtsPath(API_ENTRY), { flavor: 'module' });
  const globals = bundle(program, emitted, dtsPath(GLOBALS_ENTRY), { flavor: 'global', external: { module: 'rnn-lab', symbols: api.exportedSymbols } });
  const lib = libBundle(CELL_LIBS);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(OUTPUTS.api, api.text);
  writeFileSync(OUTPUTS.globals, globals.text);
  writeFileSync(OUTPUTS.lib, lib);
  checkBundles();
  writeFileSync(SOURCES, JSON.stringify(sources.map((f) => slash(path.relative(ROOT, f))), null, 0));
  const kb = (file) => `${Math.round(statSync(file).size / 1024)} kB`;
  const dropped = api.dropped.length ? `; left out as internal: ${api.dropped.join(', ')}` : '';
  log(
    `built dist/types/rnn-lab.d.ts (${api.exportCount} exports, ${kb(OUTPUTS.api)}), cell-globals.d.ts (${kb(OUTPUTS.globals)}), ` +
      `lib.d.ts (${kb(OUTPUTS.lib)}) in ${((performance.now() - started) / 1000).toFixed(1)} s${dropped}`,
  );
}

// ---------------------------------------------------------------------------------------------
// 1. Declarations, in memory

function compilerOptions() {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    esModuleInterop: true,
  };
}

function dtsPath(source) {
  return slash(path.join(EMIT_DIR, path.relative(KERNEL, source)).replace(/\.ts$/, '.d.ts'));
}

/** Every source file's declarations (file name under EMIT_DIR → text). */
function emitDeclarations(entries) {
  const options = { ...compilerOptions(), declaration: true, emitDeclarationOnly: true, stripInternal: true, outDir: EMIT_DIR, rootDir: KERNEL };
  const program = ts.createProgram(entries, options);
  const emitted = new Map();
  const result = program.emit(undefined, (fileName, text) => emitted.set(slash(fileName), text));
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(`declaration emit failed:\n${formatDiagnostics(errors)}`);
  const sources = program.getSourceFiles().map((f) => f.fileName).filter((f) => !f.includes('/node_modules/'));
  return { emitted, sources };
}

/** A program over the emitted declarations (and the libraries they use, from disk). */
function declarationProgram(emitted) {
  const options = { ...compilerOptions(), noEmit: true };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => emitted.has(slash(f)) || fileExists.call(host, f);
  host.readFile = (f) => emitted.get(slash(f)) ?? readFile.call(host, f);
  const directories = new Set();
  for (const file of emitted.keys()) {
    for (let d = path.posix.dirname(file); !directories.has(d) && d !== path.posix.dirname(d); d = path.posix.dirname(d)) directories.add(d);
  }
  const { directoryExists } = host;
  host.directoryExists = (d) => directories.has(slash(d).replace(/\/$/, '')) || (directoryExists?.call(host, d) ?? true);
  host.getSourceFile = (f, language, ...rest) => {
    const text = emitted.get(slash(f));
    return text !== undefined ? ts.createSourceFile(f, text, language, true) : getSourceFile.call(host, f, language, ...rest);
  };
  return ts.createProgram([...emitted.keys()], options, host);
}

// ---------------------------------------------------------------------------------------------
// 2. One file per entry

/**
 * flavor 'module': `declare class X …` statements and one `export { … }` list.
 * flavor 'global': the exports become globals (`declare global { … }`); symbols that `external`
 * exports (the rnn-lab module) are imported from it instead of copied.
 */
function bundle(program, emitted, entryFile, { flavor, external }) {
  const checker = program.getTypeChecker();
  const own = (sourceFile) => emitted.has(slash(sourceFile.fileName));
  const resolve = (symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const renamed = renameOf(target, checker);
    return renamed ? resolve(renamed) : target;
  };
  const entry = program.getSourceFile(entryFile);
  if (!entry) throw new Error(`no declarations for ${entryFile}`);

  // The entry's exports, without those an index marks @internal.
  const exports = [];
  const dropped = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(entry))) {
    const target = resolve(symbol);
    if (markedInternal(symbol, checker) || !target.declarations?.length) {
      dropped.push(symbol.name);
      continue;
    }
    exports.push({ name: symbol.name, symbol: target });
  }

  /** The top-level statements declaring a symbol of our files; null for anything else. */
  const statementsOf = (symbol) => {
    const statements = new Set();
    for (const declaration of symbol.declarations ?? []) {
      const statement = topLevelStatement(declaration);
      if (!statement || !own(statement.getSourceFile())) return null;
      statements.add(statement);
    }
    return statements.size > 0 ? statements : null;
  };

  // Reachability: from the exports through every name their declarations mention.
  const included = new Map(); // symbol → its statements
  const externalImports = new Map(); // `${module}\0${name}` → { module, name }
  const globalNames = new Set(); // names of globals the declarations use: never taken by ours
  const queue = exports.map((e) => e.symbol);
  const reference = (symbol, identifier) => {
    const target = resolve(symbol);
    if (external?.symbols.has(target)) {
      externalImports.set(`${external.module}\0${external.symbols.get(target)}`, { module: external.module, name: external.symbols.get(target) });
      return;
    }
    if (statementsOf(target)) {
      if (!included.has(target)) queue.push(target);
      return;
    }
    if (symbol.flags & ts.SymbolFlags.Alias) {
      const imported = importOf(symbol);
      if (imported) externalImports.set(`${imported.module}\0${imported.name}`, imported);
      return;
    }
    // A global (no parent symbol) from a library: a name of ours must not hide it.
    const declaration = target.declarations?.[0];
    if (declaration && !target.parent && !own(declaration.getSourceFile()) && identifier) globalNames.add(identifier.text);
  };
  while (queue.length > 0) {
    const symbol = queue.pop();
    if (included.has(symbol)) continue;
    const statements = statementsOf(symbol);
    if (!statements) continue;
    included.set(symbol, statements);
    for (const statement of statements) {
      // A statement declaring several names brings all of them.
      for (const declared of declaredSymbols(statement, checker)) if (!included.has(declared)) queue.push(declared);
      forEachIdentifier(statement, (identifier) => {
        const symbol = checker.getSymbolAtLocation(identifier);
        if (symbol) reference(symbol, identifier);
      });
    }
  }

  // Names: exports keep theirs (unless a global the declarations use has it: then the export list
  // renames), then imports, then the rest; clashes get a suffix. Globals must keep their names.
  const taken = new Set(flavor === 'global' ? [] : globalNames);
  const names = new Map();
  const assign = (key, preferred) => {
    if (names.has(key)) return;
    let name = preferred;
    for (let i = 1; taken.has(name); i++) name = `${preferred}_${i}`;
    taken.add(name);
    names.set(key, name);
  };
  for (const e of exports) assign(e.symbol, e.name);
  for (const name of globalNames) taken.add(name);
  for (const [key, imported] of externalImports) assign(key, imported.name);
  for (const symbol of included.keys()) assign(symbol, symbol.name);

  const localNameOf = (symbol) => {
    const target = resolve(symbol);
    if (names.has(target)) return names.get(target);
    if (external?.symbols.has(target)) return names.get(`${external.module}\0${external.symbols.get(target)}`);
    if (symbol.flags & ts.SymbolFlags.Alias) {
      const imported = importOf(symbol);
      if (imported) return names.get(`${imported.module}\0${imported.name}`);
    }
    return undefined;
  };

  // Print: our files in program order, each statement with its names replaced. In a global
  // bundle only the exports are globals; what they use stays in the file's own scope.
  const statements = new Set([...included.values()].flatMap((s) => [...s]));
  const exportedStatements = new Set(exports.flatMap((e) => [...(included.get(e.symbol) ?? [])]));
  const body = [];
  const globalBody = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (!own(sourceFile)) continue;
    const chosen = sourceFile.statements.filter((s) => statements.has(s));
    if (chosen.length === 0) continue;
    const comment = `// ${path.relative(EMIT_DIR, sourceFile.fileName).replace(/\.d\.ts$/, '.ts')}`;
    const local = chosen.filter((s) => flavor === 'module' || !exportedStatements.has(s));
    const global = chosen.filter((s) => flavor === 'global' && exportedStatements.has(s));
    if (local.length) body.push(comment, ...local.map((s) => printStatement(s, sourceFile, checker, localNameOf, false)));
    if (global.length) globalBody.push(comment, ...global.map((s) => printStatement(s, sourceFile, checker, localNameOf, true)));
  }

  const byModule = new Map();
  for (const [key, { module, name }] of externalImports) {
    const local = names.get(key);
    byModule.set(module, [...(byModule.get(module) ?? []), local === name ? name : `${name} as ${local}`]);
  }
  const imports = [...byModule].map(([module, list]) => `import { ${list.sort().join(', ')} } from '${module}';`);
  const exportList = exports.map((e) => (names.get(e.symbol) === e.name ? e.name : `${names.get(e.symbol)} as ${e.name}`));
  const header =
    flavor === 'module'
      ? "// The public API of RNN Lab: what `import … from 'rnn-lab'` gives. Generated by scripts/build-types.mjs from kernel/api.ts."
      : '// What every RNN Lab notebook cell sees without an import. Generated by scripts/build-types.mjs from kernel/runtime/languageService/cellGlobals.ts.';
  let text;
  if (flavor === 'module') {
    text = [header, ...imports, '', ...body, '', `export { ${exportList.join(', ')} };`, ''].join('\n');
  } else {
    const indented = globalBody.map((s) => s.replace(/^(?=.)/gm, '  '));
    text = [header, ...imports, '', ...body, '', 'declare global {', ...indented, '}', '', 'export {};', ''].join('\n');
  }
  const exportedSymbols = new Map(exports.map((e) => [e.symbol, e.name]));
  return { text, exportedSymbols, exportCount: exports.length, dropped };
}

/**
 * The symbol another one merely renames: `export const { Tensor } = engine; export type Tensor =
 * engine.Tensor;` (kernel/runtime/engine.ts) is the engine's Tensor under the same name.
 */
function renameOf(symbol, checker) {
  const declarations = symbol.declarations ?? [];
  if (declarations.length === 0) return null;
  let target = null;
  for (const declaration of declarations) {
    let entity = null;
    if (ts.isTypeAliasDeclaration(declaration) && !declaration.typeParameters && ts.isTypeReferenceNode(declaration.type) && !declaration.type.typeArguments) {
      entity = declaration.type.typeName;
    } else if (ts.isVariableDeclaration(declaration) && declaration.type && ts.isTypeQueryNode(declaration.type) && !declaration.type.typeArguments) {
      entity = declaration.type.exprName;
    }
    if (!entity) return null;
    const right = ts.isQualifiedName(entity) ? entity.right : entity;
    if (right.text !== symbol.name) return null;
    let referenced = checker.getSymbolAtLocation(right);
    if (!referenced) return null;
    if (referenced.flags & ts.SymbolFlags.Alias) referenced = checker.getAliasedSymbol(referenced);
    if (referenced === symbol || (target && target !== referenced)) return null;
    target = referenced;
  }
  return target;
}

/** A statement at the top of its file that declares `declaration`, or null. */
function topLevelStatement(declaration) {
  if (declaration.parent && ts.isSourceFile(declaration.parent)) return declaration;
  if (ts.isVariableDeclaration(declaration)) {
    const statement = declaration.parent?.parent;
    if (statement && ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent)) return statement;
  }
  return null;
}

function declaredSymbols(statement, checker) {
  const nodes = ts.isVariableStatement(statement) ? statement.declarationList.declarations.map((d) => d.name) : statement.name ? [statement.name] : [];
  return nodes.map((n) => checker.getSymbolAtLocation(n)).filter(Boolean);
}

/** An alias of an import from a module outside our files: which module, which export. */
function importOf(alias) {
  const declaration = alias.declarations?.[0];
  if (!declaration) return null;
  if (ts.isImportSpecifier(declaration)) {
    const module = declaration.parent.parent.parent.moduleSpecifier;
    return isBare(module) ? { module: module.text, name: (declaration.propertyName ?? declaration.name).text } : null;
  }
  return null;
}

const isBare = (specifier) => ts.isStringLiteral(specifier) && !specifier.text.startsWith('.');

/** An export (through every re-export on its way) whose specifier a comment marks @internal. */
function markedInternal(symbol, checker) {
  for (let s = symbol, depth = 0; s && s.flags & ts.SymbolFlags.Alias && depth < 32; depth++) {
    if ((s.declarations ?? []).some(hasInternalComment)) return true;
    s = checker.getImmediateAliasedSymbol(s);
  }
  return false;
}

/** The comments right before the node (`, /** @internal *\/ name` included) say @internal. */
function hasInternalComment(node) {
  const sourceFile = node.getSourceFile();
  return /@internal\b/.test(sourceFile.text.slice(node.pos, node.getStart(sourceFile)));
}

function forEachIdentifier(node, visit) {
  if (ts.isIdentifier(node)) visit(node);
  ts.forEachChild(node, (child) => forEachIdentifier(child, visit));
}

/** The statement's text (with its doc comment) with local names, and without `export`/`default` (and `declare` in a global block). */
function printStatement(statement, sourceFile, checker, localNameOf, inGlobalBlock) {
  const start = statement.getStart(sourceFile, true);
  const edits = [];
  // `ns.Name` with ns a namespace import of one of our files: the name alone.
  const visitQualified = (node) => {
    if (ts.isQualifiedName(node) && ts.isIdentifier(node.left)) {
      const left = checker.getSymbolAtLocation(node.left);
      const target = left && left.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(left) : left;
      if (target && target.flags & ts.SymbolFlags.ValueModule && target.declarations?.some(ts.isSourceFile)) {
        const symbol = checker.getSymbolAtLocation(node.right);
        const local = symbol && localNameOf(symbol);
        if (local) {
          edits.push({ start: node.getStart(sourceFile), end: node.end, text: local, whole: true });
          return;
        }
      }
    }
    ts.forEachChild(node, visitQualified);
  };
  visitQualified(statement);
  const insideWhole = (pos) => edits.some((e) => e.whole && e.start <= pos && pos < e.end);
  forEachIdentifier(statement, (identifier) => {
    if (insideWhole(identifier.getStart(sourceFile))) return;
    const symbol = checker.getSymbolAtLocation(identifier);
    const local = symbol && localNameOf(symbol);
    if (local && local !== identifier.text) edits.push({ start: identifier.getStart(sourceFile), end: identifier.end, text: local });
  });
  for (const modifier of ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : []) {
    const drop =
      modifier.kind === ts.SyntaxKind.ExportKeyword ||
      modifier.kind === ts.SyntaxKind.DefaultKeyword ||
      (inGlobalBlock && modifier.kind === ts.SyntaxKind.DeclareKeyword);
    if (drop) {
      let end = modifier.end;
      while (/\s/.test(sourceFile.text[end] ?? '')) end++;
      edits.push({ start: modifier.getStart(sourceFile), end, text: '' });
    }
  }
  let text = sourceFile.text.slice(start, statement.end);
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start - start) + edit.text + text.slice(edit.end - start);
  return text;
}

// ---------------------------------------------------------------------------------------------
// The ECMAScript library, one file

function libBundle(libs) {
  const dir = path.dirname(ts.getDefaultLibFilePath({}));
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(path.join(dir, `lib.${name}.d.ts`), 'utf8');
    for (const m of text.matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>/gm)) visit(m[1]);
    order.push({ name, text });
  };
  libs.forEach(visit);
  const body = order.map(({ name, text }) => `// lib.${name}.d.ts\n${text.replace(/^\/\/\/\s*<reference[^>]*\/>\s*$/gm, '').trim()}\n`);
  return [
    '/// <reference no-default-lib="true"/>',
    `// TypeScript ${ts.version}'s ${libs.map((l) => `lib.${l}.d.ts`).join(', ')} and what they reference, in one file. Generated by scripts/build-types.mjs.`,
    '',
    ...body,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// 3. The check

/** The bundles compile by themselves: 'rnn-lab' resolves to the API bundle, nothing else of ours. */
function checkBundles() {
  const options = {
    ...compilerOptions(),
    lib: undefined,
    noLib: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    baseUrl: OUT,
    paths: { 'rnn-lab': [OUTPUTS.api] },
  };
  const program = ts.createProgram([OUTPUTS.lib, OUTPUTS.api, OUTPUTS.globals], options);
  const ours = new Set(Object.values(OUTPUTS).map(slash));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSourceFiles().filter((f) => ours.has(slash(f.fileName)) && f.fileName !== slash(OUTPUTS.lib)).flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  if (diagnostics.length > 0) throw new Error(`the bundled declarations do not compile:\n${formatDiagnostics(diagnostics.slice(0, 20))}`);
}

function formatDiagnostics(diagnostics) {
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' });
}

// ---------------------------------------------------------------------------------------------

/** Every output newer than this script, TypeScript and every source the last build read (none removed). */
function upToDate() {
  const outputs = [...Object.values(OUTPUTS), SOURCES];
  if (!outputs.every(existsSync)) return false;
  let sources;
  try {
    sources = JSON.parse(readFileSync(SOURCES, 'utf8')).map((f) => path.join(ROOT, f));
  } catch {
    return false;
  }
  if (!sources.every(existsSync)) return false;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const typescript = path.join(path.dirname(ts.getDefaultLibFilePath({})), '..', 'package.json');
  const newest = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs, statSync(typescript).mtimeMs, ...sources.map((f) => statSync(f).mtimeMs));
  return built > newest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildTypes({ force: process.argv.includes('--force') });
}
