// The environment the kernel process is started with, by whoever starts it (the extension, the
// headless runner, the bench, so that the bench measures the engine as a notebook runs it).
//
// glibc's malloc gives every array past its mmap threshold pages of its own and returns them to
// the system when the array is freed (or trims the heap's top past 2× that size), so the next
// array of a training step starts on fresh pages: a page fault each, ~11 µs on the project's VMs
// (a fresh 800 KB output plus an 800 KB gradient: 0.6–1.0 ms, against 0.06 ms reused). The step
// allocates the same sizes every time (outputs, gradients), so a heap that keeps them is the
// right trade for a kernel: arrays below 32 MB come from the heap and are reused, and up to
// 128 MB of freed memory stays mapped. The variables only tune glibc (Linux); a value the user
// set wins.

/** glibc malloc's tuning for the kernel process (see above). */
export const KERNEL_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(32 << 20),
  MALLOC_TRIM_THRESHOLD_: String(128 << 20),
};

/** `env` with KERNEL_MALLOC_ENV added on Linux, where the user has not set these variables. */
export function withKernelMalloc<E extends Record<string, string | undefined>>(env: E, platform: string): E {
  if (platform !== 'linux') return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(KERNEL_MALLOC_ENV)) if (out[name] === undefined) out[name] = value;
  return out as E;
}

/** Whether this process runs with KERNEL_MALLOC_ENV (off Linux: always, there is nothing to set). */
export function hasKernelMalloc(env: Record<string, string | undefined>, platform: string): boolean {
  return platform !== 'linux' || Object.keys(KERNEL_MALLOC_ENV).every((name) => env[name] !== undefined);
}
