// Pure helpers of the benchmark's report: rates, shares of the machine's limit, the header line
// and plain-text tables.

/**
 * SIMD128 limit of one core: 4 float lanes × 2 flops per fused multiply-add × 2 vector FMA units
 * = 16 flops per cycle, at 3.65 GHz (the boost clock of the project's EPYC machines) ≈ 58.4
 * GFLOP/s. Plain SIMD128 without relaxed FMA issues a multiply and an add instead, so 'simd'
 * kernels cannot reach it; it is the ceiling either way.
 */
export const SIMD128_GFLOPS_PER_CORE = 16 * 3.65;

export function gflops(flops: number, msPerStep: number): number {
  return flops / (msPerStep / 1e3) / 1e9;
}

/** Share (0…1) of the SIMD128 limit of `cores` cores that `rate` GFLOP/s is. */
export function limitShare(rate: number, cores: number): number {
  return rate / (cores * SIMD128_GFLOPS_PER_CORE);
}

/** How much longer `instrumented` takes than `plain`, in percent. */
export function overheadPercent(plain: number, instrumented: number): number {
  return (instrumented / plain - 1) * 100;
}

export function formatPercent(p: number, signed = false): string {
  const digits = Math.abs(p) < 10 ? 1 : 0;
  return `${signed && p >= 0 ? '+' : ''}${p.toFixed(digits)}%`;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  kernels: string;
  /** Kernels the training workers reported (empty when no worker ran). */
  workerKernels: readonly string[];
  v8Flags: readonly string[];
  /** setFlushDenormal during the run (the workers' too), when known. */
  flushDenormal?: boolean;
}

export function machineLine(m: MachineInfo): string {
  const workers = m.workerKernels.length === 0 ? '' : m.workerKernels.every((k) => k === m.kernels) ? ' (training workers too)' : ` (training workers: ${m.workerKernels.join(', ')})`;
  const flags = m.v8Flags.length === 0 ? 'none' : m.v8Flags.join(' ');
  const flush = m.flushDenormal === undefined ? '' : `; subnormals flushed to zero: ${m.flushDenormal ? 'yes' : 'no'}`;
  return `machine: ${m.cpu.trim()}, ${m.cores} cores; Node ${m.node}; kernels ${m.kernels}${workers}; V8 flags: ${flags}${flush}`;
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
}
