// LSP positions (line, UTF-16 character) ↔ offsets in a text. JavaScript strings count UTF-16 code
// units too, so no conversion beyond lines.
import type { Position } from 'vscode-languageserver';

export function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  else if (lineEnd > offset && text[lineEnd - 1] === '\r') lineEnd--; // CRLF: the line ends before \r
  return Math.min(offset + position.character, lineEnd);
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
