// Type checking of one notebook: a TypeScript LanguageService over its cells (as the modules of
// cellModules.ts), the ECMAScript library, 'rnn-lab' and the cells' globals, answering in the
// cells' own coordinates and in LSP's shapes: diagnostics, completions (with their documentation on
// resolve), signature help and hover.
import { host as kernelHost } from '../../host/index';
import type * as TS from 'typescript';
import {
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  MarkupKind,
  type CompletionItem,
  type Diagnostic,
  type MarkupContent,
  type Position,
  type Range,
  type SignatureHelp,
  type SignatureHelpContext,
} from 'vscode-languageserver';
import { CELL_MODULE_PREFIX, cellDeclarations, cellPreludes, type CellDeclarations } from './cellModules';
import type { TypeEnvironment } from './environment';
import { BUILTIN_MODULES_FILE, NODE_GLOBALS, NODE_GLOBALS_FILE, builtinModuleDeclarations } from './nodeGlobals';
import { offsetAt, positionAt } from './positions';

export const DIAGNOSTIC_SOURCE = 'rnn-lab';

export interface CellText {
  uri: string;
  text: string;
}

interface CellFile {
  uri: string;
  id: number;
  fileName: string;
  text: string;
  declarations: CellDeclarations;
  prelude: string;
  /** Changes with the text or the prelude. */
  version: number;
}

/** What completionItem/resolve needs to find the entry again. */
export interface CompletionData {
  uri: string;
  /** Offset in the cell. */
  offset: number;
  name: string;
  source?: string;
  data?: TS.CompletionEntryData;
}

export interface TypeHover {
  /** The declaration, e.g. `const model: LSTM` (TypeScript's quick info). */
  signature: string;
  /** Markdown from the doc comment. */
  documentation: string;
  range: Range;
}

let notebookCounter = 0;

export class NotebookTypes {
  private readonly ts: typeof TS;
  private readonly service: TS.LanguageService;
  private readonly options: TS.CompilerOptions;
  /** Cells in notebook order. */
  private cells: CellFile[] = [];
  private readonly byUri = new Map<string, CellFile>();
  private readonly byFileName = new Map<string, CellFile>();
  private readonly ids = new Map<string, number>();
  private nextId = 1;
  private projectVersion = 0;
  /** Files of ours that are not on disk (Node's globals when the folder has no @types/node). */
  private readonly virtualFiles = new Map<string, string>();
  private readonly rootFiles: string[];
  private readonly prefix: string;

  constructor(
    private readonly env: TypeEnvironment,
    /** The notebook's folder: packages and relative imports resolve from it. */
    private readonly folder: string,
  ) {
    const ts = (this.ts = env.ts);
    this.prefix = kernelHost().paths.join(folder, `__rnnlab_notebook${++notebookCounter}_cell`);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      noLib: true,
      types: [],
      // Strict types, but nothing that runs is flagged for a missing annotation.
      strict: true,
      noImplicitAny: false,
      useUnknownInCatchVariables: false,
      strictPropertyInitialization: false,
      // The kernel compiles cells with verbatimModuleSyntax: a type imported without `type` fails there.
      verbatimModuleSyntax: true,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      resolveJsonModule: true,
      allowImportingTsExtensions: true,
      useDefineForClassFields: true,
      skipLibCheck: true,
      noEmit: true,
    };
    const nodeTypes = ts.resolveTypeReferenceDirective('node', kernelHost().paths.join(folder, '__notebook__.ts'), { ...this.options, types: undefined }, ts.sys)
      .resolvedTypeReferenceDirective?.resolvedFileName;
    const typesDir = kernelHost().paths.dirname(env.libFile);
    const extra: string[] = [];
    if (nodeTypes) extra.push(nodeTypes);
    else {
      const globals = kernelHost().paths.join(typesDir, NODE_GLOBALS_FILE);
      const builtins = kernelHost().paths.join(typesDir, BUILTIN_MODULES_FILE);
      this.virtualFiles.set(globals, NODE_GLOBALS);
      this.virtualFiles.set(builtins, builtinModuleDeclarations());
      extra.push(globals, builtins);
    }
    this.rootFiles = [env.libFile, env.globalsFile, ...extra];

    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [...this.rootFiles, ...this.cells.map((c) => c.fileName)],
      getScriptVersion: (fileName) => String(this.byFileName.get(fileName)?.version ?? 0),
      getScriptKind: (fileName) => (this.byFileName.has(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.Unknown),
      getScriptSnapshot: (fileName) => {
        const text = this.readFile(fileName);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => folder,
      getDefaultLibFileName: () => env.libFile,
      fileExists: (fileName) => this.byFileName.has(fileName) || this.virtualFiles.has(fileName) || ts.sys.fileExists(fileName),
      readFile: (fileName) => this.readFile(fileName),
      directoryExists: (dir) => ts.sys.directoryExists(dir),
      getDirectories: (dir) => ts.sys.getDirectories(dir),
      realpath: (p) => ts.sys.realpath?.(p) ?? p,
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      resolveModuleNameLiterals: (literals, containingFile) => literals.map((literal) => this.resolveModule(literal.text, containingFile)),
    };
    this.service = ts.createLanguageService(host, env.registry);
  }

  /**
   * The notebook's cells now, in order. Returns the index of the first cell whose program changed
   * (cells before it are checked as before), or -1 when nothing did.
   */
  setCells(cells: readonly CellText[]): number {
    let firstChanged = -1;
    const changedAt = (index: number) => {
      if (firstChanged < 0 || index < firstChanged) firstChanged = index;
    };
    const next = cells.map(({ uri, text }, index) => {
      let file = this.byUri.get(uri);
      if (!file) {
        let id = this.ids.get(uri);
        if (id === undefined) this.ids.set(uri, (id = this.nextId++));
        file = { uri, id, fileName: `${this.prefix}${id}.ts`, text, declarations: cellDeclarations(this.ts, text), prelude: '', version: 1 };
      } else if (file.text !== text) {
        file.text = text;
        file.declarations = cellDeclarations(this.ts, text);
        file.version++;
        changedAt(index);
      }
      if (this.cells[index] !== file) changedAt(index);
      return file;
    });
    const preludes = cellPreludes(next);
    next.forEach((file, index) => {
      if (file.prelude === preludes[index]) return;
      file.prelude = preludes[index]!;
      file.version++;
      changedAt(index);
    });
    const removed = this.cells.length !== next.length;
    this.cells = next;
    this.byUri.clear();
    this.byFileName.clear();
    for (const file of next) {
      this.byUri.set(file.uri, file);
      this.byFileName.set(file.fileName, file);
    }
    if (firstChanged >= 0 || removed) this.projectVersion++;
    return firstChanged;
  }

  get cellUris(): string[] {
    return this.cells.map((c) => c.uri);
  }

  hasCell(uri: string): boolean {
    return this.byUri.has(uri);
  }

  /** Syntax and type errors of a cell, in the cell's coordinates. */
  diagnostics(uri: string): Diagnostic[] {
    const file = this.byUri.get(uri);
    if (!file) return [];
    const { ts } = this;
    const found = [...this.service.getSyntacticDiagnostics(file.fileName), ...this.service.getSemanticDiagnostics(file.fileName)].sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    const start = file.prelude.length;
    return found
      .filter((d) => d.start !== undefined && d.start >= start)
      .map((d) => {
        const diagnostic: Diagnostic = {
          range: this.rangeIn(file, d.start!, d.length ?? 0),
          message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
          severity:
            d.category === ts.DiagnosticCategory.Error
              ? DiagnosticSeverity.Error
              : d.category === ts.DiagnosticCategory.Warning
                ? DiagnosticSeverity.Warning
                : d.category === ts.DiagnosticCategory.Suggestion
                  ? DiagnosticSeverity.Hint
                  : DiagnosticSeverity.Information,
          code: d.code,
          source: DIAGNOSTIC_SOURCE,
        };
        const tags = [...(d.reportsUnnecessary ? [DiagnosticTag.Unnecessary] : []), ...(d.reportsDeprecated ? [DiagnosticTag.Deprecated] : [])];
        if (tags.length) diagnostic.tags = tags;
        return diagnostic;
      });
  }

  /** TypeScript's completions at a position of a cell; null when it has none to offer there. */
  completions(uri: string, position: Position, triggerCharacter?: string): { items: CompletionItem[]; isMemberCompletion: boolean; isIncomplete: boolean } | null {
    const file = this.byUri.get(uri);
    if (!file) return null;
    const { ts } = this;
    const cellOffset = offsetAt(file.text, position);
    const info = this.service.getCompletionsAtPosition(file.fileName, file.prelude.length + cellOffset, {
      triggerCharacter: triggerCharacter as TS.CompletionsTriggerCharacter | undefined,
      includeCompletionsWithInsertText: true,
      includeAutomaticOptionalChainCompletions: true,
      includeCompletionsForModuleExports: false,
      includeCompletionsWithSnippetText: false,
      useLabelDetailsInCompletionEntries: true,
    });
    if (!info) return null;
    const items = info.entries
      .filter((entry) => !entry.name.startsWith(CELL_MODULE_PREFIX))
      .map((entry) => {
        const optional = (entry.kindModifiers ?? '').split(',').includes('optional');
        const item: CompletionItem = {
          label: optional ? `${entry.name}?` : entry.name,
          kind: completionKind(ts, entry.kind),
          sortText: entry.sortText,
          data: { uri, offset: cellOffset, name: entry.name, source: entry.source, data: entry.data } satisfies CompletionData,
        };
        if (optional || entry.insertText !== undefined) {
          item.filterText = entry.name;
          item.insertText = entry.insertText ?? entry.name;
        }
        if (entry.replacementSpan && entry.replacementSpan.start >= file.prelude.length) {
          item.textEdit = { range: this.rangeIn(file, entry.replacementSpan.start, entry.replacementSpan.length), newText: item.insertText ?? entry.name };
        }
        if (entry.labelDetails) item.labelDetails = { ...entry.labelDetails };
        if ((entry.kindModifiers ?? '').split(',').includes('deprecated')) item.tags = [1];
        return item;
      });
    return { items, isMemberCompletion: info.isMemberCompletion, isIncomplete: info.isIncomplete === true };
  }

  /** A completion item with its signature (detail) and doc comment (documentation). */
  resolveCompletion(item: CompletionItem): CompletionItem {
    const data = item.data as CompletionData | undefined;
    const file = data && this.byUri.get(data.uri);
    if (!data || !file) return item;
    const details = this.service.getCompletionEntryDetails(file.fileName, file.prelude.length + data.offset, data.name, {}, data.source, {}, data.data);
    if (!details) return item;
    const detail = stripPreludeAlias(this.ts.displayPartsToString(details.displayParts));
    // A detail the item came with is the live value's (languageFeatures.ts): it moves to the documentation.
    const now = item.detail ? `*now* \`${item.detail.replace(/`/g, "'")}\`` : '';
    const documentation = [this.markdown(details.documentation, details.tags), now].filter(Boolean).join('\n\n');
    return { ...item, detail, ...(documentation ? { documentation: { kind: MarkupKind.Markdown, value: documentation } } : {}) };
  }

  signatureHelp(uri: string, position: Position, context?: SignatureHelpContext): SignatureHelp | null {
    const file = this.byUri.get(uri);
    if (!file) return null;
    const { ts } = this;
    const reason: TS.SignatureHelpTriggerReason =
      context?.triggerKind === 2 && context.triggerCharacter
        ? { kind: 'characterTyped', triggerCharacter: context.triggerCharacter as TS.SignatureHelpTriggerCharacter }
        : context?.isRetrigger
          ? { kind: 'retrigger' }
          : { kind: 'invoked' };
    const help = this.service.getSignatureHelpItems(file.fileName, file.prelude.length + offsetAt(file.text, position), { triggerReason: reason });
    if (!help) return null;
    const signatures = help.items.map((item) => {
      let label = ts.displayPartsToString(item.prefixDisplayParts);
      const parameters = item.parameters.map((parameter, i) => {
        const start = label.length;
        label += ts.displayPartsToString(parameter.displayParts);
        const end = label.length;
        if (i < item.parameters.length - 1) label += ts.displayPartsToString(item.separatorDisplayParts);
        const documentation = this.markdown(parameter.documentation, []);
        return { label: [start, end] as [number, number], ...(documentation ? { documentation: markup(documentation) } : {}) };
      });
      label += ts.displayPartsToString(item.suffixDisplayParts);
      const documentation = this.markdown(item.documentation, item.tags.filter((t) => t.name !== 'param'));
      return { label, parameters, ...(documentation ? { documentation: markup(documentation) } : {}) };
    });
    return { signatures, activeSignature: help.selectedItemIndex, activeParameter: help.argumentIndex };
  }

  /** TypeScript's quick info: the declaration and its documentation. */
  hover(uri: string, position: Position): TypeHover | null {
    const file = this.byUri.get(uri);
    if (!file) return null;
    const offset = file.prelude.length + offsetAt(file.text, position);
    const info = this.service.getQuickInfoAtPosition(file.fileName, offset);
    if (!info || info.textSpan.start < file.prelude.length) return null;
    let signature = this.ts.displayPartsToString(info.displayParts);
    if (this.isPreludeName(file, offset)) signature = stripPreludeAlias(signature);
    return { signature, documentation: this.markdown(info.documentation, info.tags), range: this.rangeIn(file, info.textSpan.start, info.textSpan.length) };
  }

  dispose(): void {
    this.service.dispose();
  }

  // -------------------------------------------------------------------------------------------

  private readFile(fileName: string): string | undefined {
    const cell = this.byFileName.get(fileName);
    if (cell) return cell.prelude + cell.text;
    return this.virtualFiles.get(fileName) ?? this.env.readFile(fileName);
  }

  private resolveModule(specifier: string, containingFile: string): TS.ResolvedModuleWithFailedLookupLocations {
    const { ts } = this;
    if (specifier === 'rnn-lab') {
      return { resolvedModule: { resolvedFileName: this.env.apiFile, extension: ts.Extension.Dts, isExternalLibraryImport: true } };
    }
    if (specifier.startsWith(CELL_MODULE_PREFIX)) {
      const fileName = `${this.prefix}${specifier.slice(CELL_MODULE_PREFIX.length)}.ts`;
      return { resolvedModule: this.byFileName.has(fileName) ? { resolvedFileName: fileName, extension: ts.Extension.Ts } : undefined };
    }
    // Cells resolve what the kernel does: from the notebook's folder (its node_modules, relative paths).
    const from = this.byFileName.has(containingFile) ? kernelHost().paths.join(this.folder, '__notebook__.ts') : containingFile;
    return ts.resolveModuleName(specifier, from, this.options, ts.sys);
  }

  /** Whether the name at `offset` is one a prelude brings in (an earlier cell's). */
  private isPreludeName(file: CellFile, offset: number): boolean {
    const program = this.service.getProgram();
    const source = program?.getSourceFile(file.fileName);
    if (!program || !source) return false;
    const identifier = identifierAt(this.ts, source, offset);
    const symbol = identifier && program.getTypeChecker().getSymbolAtLocation(identifier);
    const declaration = symbol?.declarations?.[0];
    return declaration !== undefined && declaration.getSourceFile() === source && declaration.pos < file.prelude.length;
  }

  private rangeIn(file: CellFile, start: number, length: number): Range {
    const from = start - file.prelude.length;
    return { start: positionAt(file.text, from), end: positionAt(file.text, from + length) };
  }

  private markdown(documentation: TS.SymbolDisplayPart[] | undefined, tags: TS.JSDocTagInfo[] | undefined): string {
    const parts = [partsToMarkdown(documentation).trim()];
    for (const tag of tags ?? []) {
      const text = partsToMarkdown(tag.text).trim();
      if (tag.name === 'param') {
        const [name, ...rest] = text.split(/\s+/);
        parts.push(`*@param* \`${name}\`${rest.length ? ` — ${rest.join(' ')}` : ''}`);
      } else parts.push(`*@${tag.name}*${text ? ` ${text.includes('\n') ? `\n${text}` : `— ${text}`}` : ''}`);
    }
    return parts.filter(Boolean).join('\n\n');
  }
}

const markup = (value: string): MarkupContent => ({ kind: MarkupKind.Markdown, value });

/** Documentation text, `{@link Name}` as `Name` in code style. */
function partsToMarkdown(parts: readonly TS.SymbolDisplayPart[] | undefined): string {
  let out = '';
  let link: { name: string; text: string } | null = null;
  for (const part of parts ?? []) {
    if (part.kind === 'link' && part.text.startsWith('{@')) link = { name: '', text: '' };
    else if (part.kind === 'link' && part.text === '}' && link) {
      out += `\`${(link.text || link.name).trim()}\``;
      link = null;
    } else if (link && part.kind === 'linkName') link.name += part.text;
    else if (link) link.text += part.text;
    else out += part.text;
  }
  return out;
}

/** `(alias) class LSTM\nimport LSTM` → `class LSTM`: an earlier cell's name, as that cell declared it. */
function stripPreludeAlias(signature: string): string {
  return signature.replace(/^\(alias\) /, '').replace(/\n(?:import|export) [^\n]*$/, '');
}

function identifierAt(ts: typeof TS, source: TS.SourceFile, offset: number): TS.Identifier | undefined {
  let found: TS.Identifier | undefined;
  const visit = (node: TS.Node): void => {
    if (offset < node.getStart(source) || offset > node.end) return;
    if (ts.isIdentifier(node)) found = node;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return found;
}

/** TypeScript's element kinds as VS Code's own TypeScript support maps them. */
function completionKind(ts: typeof TS, kind: TS.ScriptElementKind): CompletionItemKind {
  const K = ts.ScriptElementKind;
  switch (kind) {
    case K.primitiveType:
    case K.keyword:
      return CompletionItemKind.Keyword;
    case K.constElement:
    case K.letElement:
    case K.variableElement:
    case K.localVariableElement:
    case K.alias:
    case K.parameterElement:
      return CompletionItemKind.Variable;
    case K.memberVariableElement:
    case K.memberGetAccessorElement:
    case K.memberSetAccessorElement:
      return CompletionItemKind.Field;
    case K.functionElement:
    case K.localFunctionElement:
      return CompletionItemKind.Function;
    case K.memberFunctionElement:
    case K.constructSignatureElement:
    case K.callSignatureElement:
    case K.indexSignatureElement:
      return CompletionItemKind.Method;
    case K.enumElement:
      return CompletionItemKind.Enum;
    case K.enumMemberElement:
      return CompletionItemKind.EnumMember;
    case K.moduleElement:
    case K.externalModuleName:
      return CompletionItemKind.Module;
    case K.classElement:
    case K.localClassElement:
    case K.typeElement:
      return CompletionItemKind.Class;
    case K.interfaceElement:
      return CompletionItemKind.Interface;
    case K.constructorImplementationElement:
      return CompletionItemKind.Constructor;
    case K.typeParameterElement:
      return CompletionItemKind.TypeParameter;
    case K.string:
      return CompletionItemKind.Constant;
    default:
      return CompletionItemKind.Property;
  }
}
