// A tiny writer of Python source in black's style: 4-space blocks, double-quoted strings, two
// blank lines around top-level definitions, calls that fit in 88 columns or are split the way
// black splits them. The generated files (model.py, train.py) are built from these pieces, line
// by line from the model's structure and the options, so that they read like code a person wrote.

/** black's line length. */
export const LINE_LENGTH = 88;

const INDENT = '    ';

/** A block of lines, each without its final newline. */
export type Lines = readonly string[];

/** `lines` indented one level (4 spaces); blank lines stay empty. */
export function indent(lines: Lines, levels = 1): string[] {
  const pad = INDENT.repeat(levels);
  return lines.map((line) => (line === '' ? '' : pad + line));
}

/** `header:` followed by its indented body (`def f():`, `for x in y:`, `if …:`). */
export function block(header: string, body: Lines): string[] {
  if (body.length === 0) throw new Error(`Python block '${header}' has no body`);
  return [`${header}:`, ...indent(body)];
}

/** A function: `def name(params):` with a docstring and a body, at indentation `level` (1: a method). */
export function def(name: string, params: readonly string[], doc: string | null, body: Lines, options: { level?: number; decorators?: readonly string[] } = {}): string[] {
  const level = options.level ?? 0;
  return [
    ...(options.decorators ?? []).map((d) => `@${d}`),
    ...splitCall(`def ${name}(`, params, '):', level, false),
    ...indent([...(doc ? docstring(doc, level + 1) : []), ...body]),
  ];
}

/** A method: a function one level in. */
export function method(name: string, params: readonly string[], doc: string | null, body: Lines, decorators: readonly string[] = []): string[] {
  return def(name, ['self', ...params], doc, body, { level: 1, decorators });
}

/** A class with a docstring and members separated by one blank line. */
export function cls(name: string, base: string, doc: string | null, members: readonly Lines[]): string[] {
  const body: string[] = doc ? [...docstring(doc, 1)] : [];
  members.forEach((m, i) => {
    if (i > 0 || doc) body.push('');
    body.push(...m);
  });
  return [`class ${name}(${base}):`, ...indent(body)];
}

/**
 * A docstring: one line when it fits, else a summary line, a blank line and the rest wrapped at
 * the line length (paragraphs separated by blank lines in `text` stay separate).
 */
export function docstring(text: string, level: number): string[] {
  const width = LINE_LENGTH - INDENT.length * level;
  const one = `"""${text}"""`;
  if (!text.includes('\n') && one.length <= width) return [one];
  const [first, ...rest] = text.split('\n');
  const lines = wrap(`"""${first}`, width);
  const paragraphs = rest.join('\n').split(/\n\s*\n/).map((p) => p.replace(/^\n+|\s+$/g, '')).filter(Boolean);
  for (const p of paragraphs) {
    lines.push('');
    lines.push(...(p.startsWith('    ') ? p.split('\n') : wrap(p, width)));
  }
  lines.push('"""');
  return lines;
}

/** Words of `text` wrapped at `width` columns. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** `# comment` lines wrapped at the line length, at indentation `level`. */
export function comment(text: string, level = 0): string[] {
  return wrap(text, LINE_LENGTH - INDENT.length * level - 2).map((l) => `# ${l}`);
}

/**
 * A call (or any bracketed list) the way black lays it out: on one line when it fits; else the
 * arguments on one indented line between the brackets; else one argument per line with a
 * trailing comma. `open` is everything up to and including the opening bracket
 * (`optimizer = torch.optim.Adam(`), `close` the closing bracket and what follows it.
 */
export function splitCall(open: string, args: readonly string[], close: string, level: number, trailingComma = true): string[] {
  const width = LINE_LENGTH - INDENT.length * level;
  const flat = `${open}${args.join(', ')}${close}`;
  if (flat.length <= width || args.length === 0) return [flat];
  const middle = `${INDENT}${args.join(', ')}`;
  if (middle.length <= width && !args.some((a) => a.includes('\n'))) return [open, middle, close.trimStart()];
  return [open, ...args.map((a) => `${INDENT}${a}${trailingComma ? ',' : ''}`), close.trimStart()];
}

/** `name(args)` as one statement at indentation `level`, split as black would. */
export function call(prefix: string, fn: string, args: readonly string[], level: number): string[] {
  return splitCall(`${prefix}${fn}(`, args, ')', level);
}

/** A Python string literal, double-quoted as black writes them. */
export function str(value: string): string {
  return JSON.stringify(value);
}

/** A Python float literal that reads back as the same double (1 → 1.0, 1e-8 → 1e-08). */
export function float(value: number): string {
  if (!Number.isFinite(value)) {
    if (Number.isNaN(value)) return 'math.nan';
    return value > 0 ? 'math.inf' : '-math.inf';
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  // JavaScript and Python both print the shortest string that reads back as the same double;
  // Python writes exponents with at least two digits.
  return String(value).replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
}

/** A Python int literal. */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`Python code: ${value} is not an integer`);
  return String(value);
}

/** A Python bool literal. */
export function bool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** `key=value` for keyword arguments. */
export function kw(name: string, value: string): string {
  return `${name}=${value}`;
}

/**
 * A module: sections (the docstring, import groups, constants, definitions) joined with the blank
 * lines black wants: two around top-level `def`/`class` and decorated definitions, one elsewhere.
 */
export function pythonModule(sections: readonly Lines[]): string {
  const out: string[] = [];
  const isDefinition = (s: Lines): boolean => /^(def |class |@)/.test(s[0] ?? '');
  sections
    .filter((s) => s.length > 0)
    .forEach((s, i, all) => {
      if (i > 0) out.push(...(isDefinition(s) || isDefinition(all[i - 1]!) ? ['', ''] : ['']));
      out.push(...s);
    });
  return `${out.join('\n')}\n`;
}
