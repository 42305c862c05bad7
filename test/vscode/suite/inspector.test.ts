/// <reference types="mocha" />
// The sidebar inspector (views rnnLab.models and rnnLab.jobs) after the samples ran: every model a
// sample displayed is listed with its parts, and every training run left a job behind.
import * as assert from 'node:assert/strict';
import { RNN_LAB_MIMES } from './contract';
import type { ModuleSummary } from '../../../kernel/protocol';
import { sampleRunsOrFail } from './samples.test';

suite('inspector: models and jobs views', () => {
  test('the models a sample leaves in the kernel are listed, each with its layers or parameters', () => {
    const runs = sampleRunsOrFail();
    const withModels = runs.filter((r) => r.views.models.length > 0);
    const displayed = runs.filter((r) => r.outputs.some((o) => o.mime === RNN_LAB_MIMES.module));
    for (const run of displayed) {
      assert.ok(run.views.models.length > 0, `${run.notebook} displays a model but the models view is empty`);
    }
    assert.ok(withModels.length > 0, `no sample left a model in the models view (samples run: ${runs.map((r) => r.notebook).join(', ')})`);
    for (const run of withModels) {
      for (const item of run.views.models) {
        assert.ok(item.children.length > 0, `${run.notebook}: models-view item ${item.label} has no children`);
      }
      // A model a sample displayed (module output) is one of the listed ones.
      for (const module of run.outputs.filter((o) => o.mime === RNN_LAB_MIMES.module).map((o) => o.spec as ModuleSummary)) {
        const item = run.views.models.find((m) => `${m.label} ${m.description ?? ''}`.includes(module.className));
        assert.ok(item, `${run.notebook}: no models-view item mentions ${module.className}: ${JSON.stringify(run.views.models)}`);
      }
    }
  });

  test('a sample training with fit() leaves its jobs in the jobs view', () => {
    const runs = sampleRunsOrFail();
    const training = runs.filter((r) => r.callsFit);
    assert.ok(training.length > 0, `no sample that ran calls fit() (samples run: ${runs.map((r) => r.notebook).join(', ')})`);
    for (const run of training) {
      assert.ok(run.views.jobsStarted > 0, `${run.notebook}: calls fit() but the jobs view gained no job`);
      for (const job of run.views.jobs) assert.ok(job.label.length > 0, `${run.notebook}: a job without a label`);
    }
  });
});
