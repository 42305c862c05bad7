// The kernel's displayed state and its mirrored job list: the pure parts of the kernel client.
import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../kernel/protocol';
import { JobMirror } from '../../extension/jobMirror';
import { displayedState, KernelStateModel } from '../../extension/kernelStateModel';

function job(id: string, status: JobSummary['status']): JobSummary {
  return { id, uid: `k-${id}`, model: 'net', status, step: 1, totalSteps: 10, epoch: 0, loss: null, valLoss: null };
}

describe('displayed kernel state', () => {
  it('shows the lifecycle until a session runs, then what the kernel reports or has in flight', () => {
    expect(displayedState('stopped', 'training', 1)).toBe('stopped');
    expect(displayedState('starting', 'busy', 0)).toBe('starting');
    expect(displayedState('dead', 'idle', 2)).toBe('dead');
    expect(displayedState('running', 'idle', 0)).toBe('idle');
    expect(displayedState('running', 'idle', 1)).toBe('busy');
    expect(displayedState('running', 'busy', 0)).toBe('busy');
    expect(displayedState('running', 'training', 1)).toBe('training');
  });

  it('forgets what the last session reported and had in flight when a new one starts', () => {
    const model = new KernelStateModel();
    expect(model.state).toBe('stopped');
    model.starting();
    model.running();
    model.report('training');
    model.executionSent();
    expect(model.state).toBe('training');
    model.dead();
    expect(model.state).toBe('dead');
    expect(model.isRunning).toBe(false);
    model.starting();
    model.running();
    expect(model.state).toBe('idle');
    model.executionSent();
    expect(model.state).toBe('busy');
    model.executionSettled();
    model.executionSettled(); // never below zero
    expect(model.state).toBe('idle');
    model.executionSent();
    expect(model.state).toBe('busy');
  });
});

describe('job mirror', () => {
  it('keeps the latest summary of each job in start order, and ends the running ones when the kernel dies', () => {
    const jobs = new JobMirror();
    jobs.apply({ job: job('job-1', 'done') });
    jobs.apply({ job: job('job-2', 'running') });
    jobs.apply({ job: job('job-3', 'paused') });
    jobs.apply({ job: { ...job('job-2', 'running'), step: 5 } });
    expect(jobs.list.map((j) => [j.id, j.step])).toEqual([['job-1', 1], ['job-2', 5], ['job-3', 1]]);
    const ended = jobs.endRunning('failed', 'the kernel died');
    expect(ended.map((e) => [e.job.id, e.job.status, e.job.message])).toEqual([
      ['job-2', 'failed', 'the kernel died'],
      ['job-3', 'failed', 'the kernel died'],
    ]);
    expect(jobs.list.map((j) => j.status)).toEqual(['done', 'failed', 'failed']);
    expect(jobs.endRunning('failed', 'again')).toEqual([]);
    jobs.clear();
    expect(jobs.list).toEqual([]);
  });
});
