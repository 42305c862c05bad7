// Maps positions in a compiled cell back to the line the person wrote: through the rewrite's map
// (script → transpiled JavaScript), then the transpiler's (JavaScript → the cell's TypeScript).
import { TraceMap, originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } from '@jridgewell/trace-mapping';

export interface CellPosition {
  /** 1-based. */
  line: number;
  /** 0-based. */
  column: number;
}

export class CellSourceMap {
  private readonly rewrite: TraceMap | null;
  private readonly transpile: TraceMap;

  /** rewriteMap is null when positions are already in the transpiled JavaScript. */
  constructor(rewriteMap: string | null, transpileMap: string) {
    this.rewrite = rewriteMap === null ? null : new TraceMap(rewriteMap);
    this.transpile = new TraceMap(transpileMap);
  }

  /** Position in the compiled script (line 1-based, column 0-based) → position in the cell. */
  toCell(line: number, column: number): CellPosition | null {
    let position: CellPosition = { line, column };
    if (this.rewrite) {
      const step = originalPositionFor(this.rewrite, { line, column, bias: GREATEST_LOWER_BOUND });
      if (step.line === null) return null;
      position = { line: step.line, column: step.column };
    }
    const cell = originalPositionFor(this.transpile, { ...position, bias: GREATEST_LOWER_BOUND });
    if (cell.line === null) {
      // The transpiler maps only the starts of tokens it emitted; try the start of the line.
      const lineStart = originalPositionFor(this.transpile, { line: position.line, column: 0, bias: LEAST_UPPER_BOUND });
      return lineStart.line === null ? null : { line: lineStart.line, column: lineStart.column };
    }
    return { line: cell.line, column: cell.column };
  }
}
