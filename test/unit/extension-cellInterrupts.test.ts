// When an interrupt may send SIGINT (extension/cellInterrupts.ts): only to a cell the kernel has
// started, and never two close together.
import { describe, expect, it } from 'vitest';
import { CellInterrupts, SIGNAL_GAP_MS } from '../../extension/cellInterrupts';

function setup() {
  const sent: string[] = [];
  let now = 0;
  const interrupts = new CellInterrupts(
    { notify: (id) => sent.push(`notify ${id ?? 'any'}`), signal: () => sent.push('SIGINT') },
    () => now,
  );
  return { interrupts, sent, later: (ms: number) => (now += ms) };
}

describe('CellInterrupts', () => {
  it('signals a started cell at once, with the notification naming it', () => {
    const { interrupts, sent } = setup();
    interrupts.sent('a');
    interrupts.didStart('a');
    interrupts.interrupt();
    expect(sent).toEqual(['notify a', 'SIGINT']);
  });

  it('signals a cell the kernel has not started yet only once it starts', () => {
    const { interrupts, sent } = setup();
    interrupts.sent('a');
    interrupts.interrupt('a');
    expect(sent).toEqual(['notify a']);
    interrupts.didStart('a');
    expect(sent).toEqual(['notify a', 'SIGINT']);
  });

  it('forgets a cell that answered: its start (late) or a new interrupt signals nothing for it', () => {
    const { interrupts, sent } = setup();
    interrupts.sent('a');
    interrupts.interrupt('a');
    interrupts.settled('a');
    interrupts.didStart('a');
    expect(sent).toEqual(['notify a']);
  });

  it('with no cell in flight, notifies and signals whatever runs (a leftover timer)', () => {
    const { interrupts, sent } = setup();
    interrupts.interrupt();
    expect(sent).toEqual(['notify any', 'SIGINT']);
  });

  it('never sends two SIGINTs closer than the gap (the second could end the kernel process)', () => {
    const { interrupts, sent, later } = setup();
    interrupts.sent('a');
    interrupts.didStart('a');
    interrupts.interrupt('a');
    later(SIGNAL_GAP_MS - 1);
    interrupts.interrupt('a');
    expect(sent).toEqual(['notify a', 'SIGINT', 'notify a']);
    later(1);
    interrupts.interrupt('a');
    expect(sent.filter((s) => s === 'SIGINT')).toHaveLength(2);
  });
});
