// Stop / pause / abort flags and the step barrier of a job, in shared memory: the worker runs a
// synchronous training loop and never looks at its message queue, so the kernel steers it
// through these words (Atomics), and it takes effect between steps.

const STOP = 0; // 1: stop requested (by the person)
const PAUSE = 1; // 1: paused
const ABORT = 2; // 1: a worker failed; the others give up
const BARRIER_COUNT = 3;
const BARRIER_GENERATION = 4;
const DECISION = 5;
const PARKED = 6; // 1: the trainer is waiting out a pause (its last step is published)
const WORDS = 8;
/** How long a worker at the barrier spins before it sleeps, ms. */
const BARRIER_SPIN_MS = 0.5;

/** What every worker does after a barrier; all of them get the same answer. */
export type StepDecision = 'continue' | 'stop' | 'abort';
const decisions: StepDecision[] = ['continue', 'stop', 'abort'];

export class JobControl {
  /** Shared with the job's workers; a plain buffer where threads share no memory (training on this thread). */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  private readonly words: Int32Array;

  constructor(buffer: SharedArrayBuffer | ArrayBuffer = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(WORDS * 4) : new ArrayBuffer(WORDS * 4)) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, WORDS);
  }

  requestStop(): void {
    Atomics.store(this.words, STOP, 1);
    this.wakeAll();
  }

  pause(): void {
    Atomics.store(this.words, PAUSE, 1);
  }

  resume(): void {
    Atomics.store(this.words, PAUSE, 0);
    this.wakeAll();
  }

  abort(): void {
    Atomics.store(this.words, ABORT, 1);
    this.wakeAll();
  }

  get stopRequested(): boolean {
    return Atomics.load(this.words, STOP) === 1;
  }

  get paused(): boolean {
    return Atomics.load(this.words, PAUSE) === 1;
  }

  get aborted(): boolean {
    return Atomics.load(this.words, ABORT) === 1;
  }

  /** The decision between two steps of a single trainer. Blocks while paused (workers only). */
  betweenSteps(): StepDecision {
    this.waitWhilePaused();
    return this.current();
  }

  /** Non-blocking form for the kernel thread, which must not block while paused. */
  current(): StepDecision {
    if (this.aborted) return 'abort';
    if (this.stopRequested) return 'stop';
    return 'continue';
  }

  /**
   * One barrier per data-parallel step: returns when all `parties` workers arrived. The last one
   * to arrive waits out a pause and decides (continue / stop / …) for everyone, so all workers
   * apply the step or all drop it.
   */
  barrier(parties: number): StepDecision {
    const w = this.words;
    const generation = Atomics.load(w, BARRIER_GENERATION);
    if (Atomics.add(w, BARRIER_COUNT, 1) + 1 === parties) {
      const decision = this.betweenSteps();
      Atomics.store(w, DECISION, decisions.indexOf(decision));
      Atomics.store(w, BARRIER_COUNT, 0);
      Atomics.add(w, BARRIER_GENERATION, 1);
      Atomics.notify(w, BARRIER_GENERATION);
      return decision;
    }
    // Spin a little first: the other worker usually arrives within a fraction of a millisecond,
    // and a thread asleep in Atomics.wait takes a futex wake-up (on a VM, an idle vCPU's too) to
    // get going again, time that the whole step waits for.
    spinWhileEqual(w, BARRIER_GENERATION, generation, BARRIER_SPIN_MS);
    while (Atomics.load(w, BARRIER_GENERATION) === generation) {
      if (this.aborted) return 'abort';
      Atomics.wait(w, BARRIER_GENERATION, generation, 100);
    }
    return decisions[Atomics.load(w, DECISION)]!;
  }

  /** True while the trainer sits in a pause: no step runs and the published weights are its last. */
  get parked(): boolean {
    return Atomics.load(this.words, PARKED) === 1;
  }

  /** For the kernel-thread trainer, which waits asynchronously. */
  setParked(parked: boolean): void {
    Atomics.store(this.words, PARKED, parked ? 1 : 0);
  }

  private waitWhilePaused(): void {
    if (Atomics.load(this.words, PAUSE) !== 1) return;
    this.setParked(true);
    while (Atomics.load(this.words, PAUSE) === 1 && !this.stopRequested && !this.aborted) {
      Atomics.wait(this.words, PAUSE, 1, 100);
    }
    this.setParked(false);
  }

  private wakeAll(): void {
    Atomics.notify(this.words, PAUSE);
    Atomics.notify(this.words, BARRIER_GENERATION);
  }
}

/**
 * Spins while words[index] === value, for at most `ms`. A function of its own: V8 compiles a hot
 * loop on the stack (OSR) with the feedback seen so far, and the barrier's code after such a loop
 * had none yet, so the barrier was thrown out of optimized code at nearly every step.
 */
function spinWhileEqual(words: Int32Array, index: number, value: number, ms: number): void {
  const until = performance.now() + ms;
  let spins = 0;
  while (Atomics.load(words, index) === value) {
    if ((++spins & 255) === 0 && performance.now() >= until) return;
  }
}
