// How a notebook's cells become one TypeScript program that means what the kernel does with them.
//
// The runtime (runtime.ts, scope.ts) gives each cell the names every earlier cell declared, and a
// cell may declare a name again (a re-run, or a new version of `model`): the later declaration
// shadows. Concatenating the cells would flag every re-declaration; checking each cell alone
// would know none of the earlier names. So each cell is a module of its own, and a one-line
// prelude in front of its text brings in what the cells before it declared (the latest of each
// name, minus the names the cell declares itself) and exports what it declares for the cells after
// it:
//
//   cell 1  import { LSTM } from 'rnn-lab'; const net = new LSTM(2, 8); let steps = 0;
//   cell 2  import { LSTM } from 'rnn-lab'; declare const net: typeof import('rnn-lab:cell/1').net;
//           declare let steps: typeof import('rnn-lab:cell/1').steps; export {};      ← its prelude
//           steps += 10; net.forward(x)                                              ← its text
//
// Variables keep their const/let-ness (assigning an earlier cell's `let` is fine, its `const` is
// not), functions, classes, types and enums come as imports (a class is a value and a type), and
// an earlier cell's imports are imported again from the same module. The prelude sits on the first
// line, so a position in the cell is its offset plus the prelude's length, and text the person is
// still typing at the end of a cell cannot swallow it.
import type * as TS from 'typescript';

/** How a later cell sees a name a cell declares. */
export type NameForm = 'const' | 'let' | 'alias' | 'import';

export interface DeclaredName {
  form: NameForm;
  /** For 'import': the import statement that brings this one name. */
  importText?: string;
}

export interface CellDeclarations {
  /** Top-level names, in order. */
  names: Map<string, DeclaredName>;
  /** Names the cell already exports itself (`export const x = …`). */
  exported: Set<string>;
}

/** The module specifier by which cells refer to each other. */
export const CELL_MODULE_PREFIX = 'rnn-lab:cell/';

export function cellModuleSpecifier(id: number): string {
  return `${CELL_MODULE_PREFIX}${id}`;
}

/** The top-level names a cell declares, read from its syntax alone. */
export function cellDeclarations(ts: typeof TS, text: string): CellDeclarations {
  const source = ts.createSourceFile('cell.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Map<string, DeclaredName>();
  const exported = new Set<string>();
  const hasModifier = (node: TS.Node, kind: TS.SyntaxKind) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
  const declare = (name: string, form: NameForm, importText?: string) => {
    const before = names.get(name);
    // A class, function, type or enum sharing a name with a variable: the import brings both meanings.
    if (before && before.form === 'alias' && form !== 'import') return;
    names.set(name, importText === undefined ? { form } : { form, importText });
  };
  const bindingNames = (name: TS.BindingName, out: string[]) => {
    if (ts.isIdentifier(name)) out.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, out);
    return out;
  };

  for (const statement of source.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword) && !hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      const form: NameForm = flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing) ? 'const' : 'let';
      for (const declaration of statement.declarationList.declarations) {
        for (const name of bindingNames(declaration.name, [])) {
          declare(name, form);
          if (isExported) exported.add(name);
        }
      }
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      declare(statement.name.text, 'alias');
      if (isExported) exported.add(statement.name.text);
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      declare(statement.name.text, 'alias');
      if (isExported) exported.add(statement.name.text);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      declare(statement.name.text, 'alias');
    } else if (ts.isImportDeclaration(statement) && statement.importClause && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = ` from ${JSON.stringify(statement.moduleSpecifier.text)};`;
      const clause = statement.importClause;
      const typeOnly = clause.isTypeOnly ? 'type ' : '';
      if (clause.name) declare(clause.name.text, 'import', `import ${typeOnly}${clause.name.text}${from}`);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) declare(bindings.name.text, 'import', `import ${typeOnly}* as ${bindings.name.text}${from}`);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const imported = element.propertyName ? `${element.propertyName.getText(source)} as ${element.name.text}` : element.name.text;
          const type = typeOnly || (element.isTypeOnly ? 'type ' : '');
          declare(element.name.text, 'import', `import ${type}{ ${imported} }${from}`);
        }
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) if (!element.propertyName) exported.add(element.name.text);
    }
  }
  return { names, exported };
}

export interface PreludeCell {
  /** The id in this cell's module specifier (cellModuleSpecifier). */
  id: number;
  declarations: CellDeclarations;
}

/** Each cell's prelude (one line, ending in a newline), in cell order. */
export function cellPreludes(cells: readonly PreludeCell[]): string[] {
  const visible = new Map<string, { id: number; declared: DeclaredName }>();
  const preludes: string[] = [];
  for (const cell of cells) {
    const parts: string[] = [];
    for (const [name, { id, declared }] of visible) {
      if (cell.declarations.names.has(name)) continue; // the cell's own declaration shadows it
      const specifier = JSON.stringify(cellModuleSpecifier(id));
      if (declared.form === 'import') parts.push(declared.importText!);
      else if (declared.form === 'alias') parts.push(`import { ${name} } from ${specifier};`);
      else parts.push(`declare ${declared.form} ${name}: typeof import(${specifier}).${name};`);
    }
    const exports = [...cell.declarations.names].filter(([name, d]) => d.form !== 'import' && !cell.declarations.exported.has(name)).map(([name]) => name);
    parts.push(`export { ${exports.join(', ')} };`);
    preludes.push(`${parts.join(' ')}\n`);
    for (const [name, declared] of cell.declarations.names) visible.set(name, { id: cell.id, declared });
  }
  return preludes;
}
