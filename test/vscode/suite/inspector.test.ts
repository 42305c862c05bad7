/// <reference types="mocha" />
// The sidebar inspector (views rnnLab.models and rnnLab.jobs) after the samples ran: every model a
// sample displayed is listed with its parts, and every training run left a job behind.
import * as assert from 'node:assert/strict';
import { RNN_LAB_MIMES } from './contract';
import type { ModuleSummary } from '../../../kernel/protocol';
import { sampleRuns, trained } from './samples.test';
import { skipBecause } from './skip';

suite('inspector: models and jobs views', () => {
  test('each model a sample displayed is listed, with its parameters or layers as children', function () {
    const withModels = sampleRuns.filter((r) => r.outputs.some((o) => o.mime === RNN_LAB_MIMES.module));
    if (withModels.length === 0) skipBecause(this, 'no sample displays a model (module output) yet');
    for (const run of withModels) {
      if (!run.views) skipBecause(this, 'activate() does not return the test API (modelsTreeItems) yet');
      const modules = run.outputs.filter((o) => o.mime === RNN_LAB_MIMES.module).map((o) => o.spec as ModuleSummary);
      assert.ok(run.views.models.length > 0, `${run.notebook}: the models view is empty`);
      for (const module of modules) {
        const item = run.views.models.find((m) => `${m.label} ${m.description ?? ''}`.includes(module.className));
        assert.ok(item, `${run.notebook}: no models-view item mentions ${module.className}: ${JSON.stringify(run.views.models)}`);
        assert.ok(item.children.length > 0, `${run.notebook}: models-view item ${item.label} has no children`);
      }
    }
  });

  test('a sample that trained leaves a job in the jobs view', function () {
    const trainedRuns = sampleRuns.filter(trained);
    if (trainedRuns.length === 0) skipBecause(this, 'no sample trains a model (loss curve output) yet');
    for (const run of trainedRuns) {
      if (!run.views) skipBecause(this, 'activate() does not return the test API (jobsTreeItems) yet');
      assert.ok(run.views.jobs.length > 0, `${run.notebook}: the jobs view is empty after training`);
      for (const job of run.views.jobs) assert.ok(job.label.length > 0, `${run.notebook}: a job without a label`);
    }
  });
});
