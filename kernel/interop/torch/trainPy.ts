// train.py: fit()'s options turned into a PyTorch training script under DistributedDataParallel.
// Every line is written from what the export found (the objective, the data's layout, the
// optimizer and schedule, the options fit() resolved): an option fit() was not given leaves no
// trace, so the script has no branch that cannot run and no import it does not use.
//
// What it keeps from fit() (kernel/train/loop.ts): batches in fit()'s order (data.safetensors
// holds the permutation of every epoch) padded as collate() pads them; the loss fit()'s
// objective computes, shards weighted as fit() weights its data-parallel workers; clipping by
// the total norm after the gradients are combined; the schedule stepped per step or per epoch
// (ReduceLROnPlateau per epoch with the monitored loss); validation at the end of each complete
// epoch; early stopping with fit()'s rule; checkpoints of the weights under RNN Lab's names.

import type { LoopConfig } from '../../train/options';
import type { ExportedData, SplitLayout } from './dataExport';
import type { TorchObjective } from './objective';
import type { TorchCall, TorchSchedule } from './optimizerPy';
import { block, call, cls, comment, def, docstring, float, int, method, pythonModule, str, type Lines } from './python';
import type { TorchModelStructure } from './structure';

export interface TrainPlan {
  structure: TorchModelStructure;
  objective: TorchObjective;
  data: ExportedData;
  config: LoopConfig;
  optimizer: TorchCall;
  schedule: TorchSchedule | null;
  /** The engine flushes subnormal floats (setFlushDenormal): train.py asks torch to do the same. */
  flushDenormal: boolean;
  /** The checkpoint file name with `{step}` (fit()'s checkpoint.path's name), or null for the final weights only. */
  checkpointName: string | null;
}

/** The input's name in the generated code. */
function inputName(plan: TrainPlan): string {
  if (plan.structure.kind === 'seq2seq') return 'src';
  return plan.data.train.tokens ? 'tokens' : 'x';
}

function lossName(o: TorchObjective): string {
  return o.loss === 'crossEntropy' ? 'cross-entropy' : o.loss === 'mse' ? 'squared error' : 'binary cross-entropy with logits';
}

/** How fit() counts a loss's terms, to weight the processes' shards. */
function countExpression(o: TorchObjective): string {
  if (o.weighting === 'examples') return 'len(targets)';
  return o.loss === 'crossEntropy' ? 'int((targets != IGNORE_INDEX).sum())' : 'targets.numel()';
}

// --- the data

function splitClass(plan: TrainPlan): string[] {
  const layout = plan.data.train;
  const init = [
    'self.inputs = data[f"{name}.inputs"]',
    ...(layout.lengths ? ['self.lengths = data[f"{name}.lengths"]'] : []),
    'self.targets = data[f"{name}.targets"]',
    ...(layout.targetLengths ? ['self.target_lengths = data[f"{name}.target_lengths"]'] : []),
  ];
  const batch = plan.objective.lengths ? 'inputs, lengths, targets' : 'inputs, targets';
  let collate: string[];
  let doc: string;
  if (layout.trimmed) {
    doc = "The batch of these examples, padded to the longest of them as fit()'s collate() pads.";
    collate = [
      'indices = torch.tensor(indices)',
      'lengths = self.lengths[indices]',
      'inputs = self.inputs[indices, : int(lengths.max())]',
      layout.targetLengths ? 'targets = self.targets[indices, : int(self.target_lengths[indices].max())]' : 'targets = self.targets[indices]',
      `return ${batch}`,
    ];
  } else {
    doc = "The batch of these examples' rows.";
    collate = ['indices = torch.tensor(indices)', `return ${plan.objective.lengths ? 'self.inputs[indices], self.lengths[indices], self.targets[indices]' : 'self.inputs[indices], self.targets[indices]'}`];
  }
  return cls('Split', 'Dataset', 'One split of data.safetensors; its items are indices, which collate() turns into a batch.', [
    method('__init__', ['data', 'name'], null, init),
    method('__len__', [], null, ['return len(self.inputs)']),
    method('__getitem__', ['index'], null, ['return index']),
    method('collate', ['indices'], doc, collate),
  ]);
}

function epochOrder(plan: TrainPlan): string[] {
  const order = plan.data.order!;
  if (!order.more) {
    return def('epoch_order', ['orders', 'epoch'], "fit()'s order of the training examples in this epoch (exported by RNN Lab).", ['return orders[epoch].tolist()']);
  }
  const doc = `fit()'s order of the training examples in this epoch.\n\nRNN Lab exported the orders of the first ${order.epochs} epochs; later epochs are shuffled by torch's generator.`;
  return def('epoch_order', ['orders', 'epoch'], doc, [
    ...block('if epoch < len(orders)', ['return orders[epoch].tolist()']),
    'generator = torch.Generator().manual_seed(SEED + epoch)',
    'return torch.randperm(orders.shape[1], generator=generator).tolist()',
  ]);
}

// --- the objective

function batchLoss(plan: TrainPlan): string[] {
  const o = plan.objective;
  const s = plan.structure;
  const x = inputName(plan);
  const unpack = o.lengths ? `${x}, lengths, targets = batch` : `${x}, targets = batch`;
  const args = [`${x}.to(device)`, ...(o.lengths ? ['lengths.tolist()'] : []), ...(s.kind === 'seq2seq' ? ['targets'] : [])];
  const tupleOutput = s.kind === 'sequence' && !s.spec.head;
  const output = o.loss === 'crossEntropy' ? 'logits' : 'outputs';
  const forward = call(tupleOutput ? `${output}, _ = ` : `${output} = `, 'model', args, 1);
  let loss: [string, string[]];
  if (o.loss === 'crossEntropy') {
    loss = o.layout === 'sequence' ? ['F.cross_entropy', ['logits.flatten(0, 1)', 'targets.flatten()', 'ignore_index=IGNORE_INDEX']] : ['F.cross_entropy', ['logits', 'targets', 'ignore_index=IGNORE_INDEX']];
  } else loss = [o.loss === 'mse' ? 'F.mse_loss' : 'F.binary_cross_entropy_with_logits', ['outputs', 'targets']];
  const called = s.kind === 'seq2seq' ? `model(${x}, lengths, targets) with teacher forcing` : `model(${o.lengths ? `${x}, lengths` : x})`;
  const counted = o.weighting === 'examples' ? 'its examples (as fit() counts a forwardLoss)' : o.loss === 'crossEntropy' ? 'the targets it averages' : 'the values it averages';
  return def('batch_loss', ['model', 'batch', 'device'], `fit()'s loss on a batch: the mean ${lossName(o)} of ${called}, and ${counted}.`, [
    unpack,
    'targets = targets.to(device)',
    ...forward,
    ...call('loss = ', loss[0], loss[1], 1),
    `return loss, ${countExpression(o)}`,
  ]);
}

function trainStep(plan: TrainPlan): string[] {
  const clip = plan.config.clipGradNorm !== null;
  const doc =
    "One step of fit(): forward and backward, gradients combined over the global batch, " +
    `${clip ? 'clipped by their total norm, ' : ''}the update.\n\nReturns the mean loss of the global batch (every process's examples).`;
  return def('train_step', ['model', 'optimizer', 'batch', 'device'], doc, [
    'optimizer.zero_grad(set_to_none=True)',
    'loss, count = batch_loss(model, batch, device)',
    ...call('totals = ', 'torch.tensor', ['[loss.item() * count, count]', 'dtype=torch.float64', 'device=device'], 1),
    'dist.all_reduce(totals)',
    'loss_sum, total = totals.tolist()',
    ...block('if not math.isfinite(loss_sum)', ['raise FloatingPointError(f"Training diverged: the loss is {loss_sum / total}")']),
    ...comment("DistributedDataParallel averages the processes' gradients; weighting each process's mean by its share of the terms makes that the gradient of the global batch's mean, as in fit().", 1),
    '(loss * (count * dist.get_world_size() / total)).backward()',
    ...(clip ? ['torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)'] : []),
    'optimizer.step()',
    'return loss_sum / total',
  ]);
}

function validateFn(): string[] {
  return def(
    'validate',
    ['model', 'split', 'device'],
    "fit()'s validation loss: the mean over the whole split, in batches of BATCH_SIZE, in eval mode.",
    [
      'model.eval()',
      'weighted, count = 0.0, 0',
      ...block('for batch in DataLoader(split, batch_size=BATCH_SIZE, collate_fn=split.collate)', ['loss, n = batch_loss(model, batch, device)', 'weighted += loss.item() * n', 'count += n']),
      'model.train()',
      'return weighted / count',
    ],
    { decorators: ['torch.no_grad()'] },
  );
}

function saveCheckpoint(): string[] {
  return def('save_checkpoint', ['model', 'path', 'metadata'], "The weights under RNN Lab's names: loadModel(model, path) reads the file back.", [
    'path.parent.mkdir(parents=True, exist_ok=True)',
    'state = {name: t.detach().cpu() for name, t in model.state_dict().items()}',
    'save_file(state, str(path), metadata={"format": "pt", **metadata})',
  ]);
}

function parseArgs(plan: TrainPlan): string[] {
  const maxSteps = plan.config.maxSteps;
  const addArgument = (args: string[]): string[] => call('', 'parser.add_argument', args, 1);
  return def('parse_args', [], null, [
    ...call('parser = ', 'argparse.ArgumentParser', [`description=${str(`Trains ${plan.structure.className} as RNN Lab's fit() did.`)}`], 1),
    ...addArgument([
      str('--max-steps'),
      'type=int',
      `default=${maxSteps === null ? 'None' : 'MAX_STEPS'}`,
      `help=${str(maxSteps === null ? `stop after this many steps (default: ${epochsText(plan)})` : 'stop after this many steps (default: %(default)s, as fit())')}`,
    ]),
    ...addArgument([str('--out'), 'type=Path', 'default=Path("runs")', `help=${str('folder for the checkpoints (default: %(default)s)')}`]),
    ...addArgument([
      str('--global-batch'),
      'action="store_true"',
      `help=${str(`split each batch of ${plan.config.batchSize} examples over the processes, as fit() does (default: ${plan.config.batchSize} per process)`)}`,
    ]),
    'return parser.parse_args()',
  ]);
}

function epochsText(plan: TrainPlan): string {
  return `${plan.config.epochs} epoch${plan.config.epochs === 1 ? '' : 's'}`;
}

/** Whether fit() runs until maxSteps, with no limit on epochs. */
function epochsUnbounded(config: LoopConfig): boolean {
  return config.maxSteps !== null && config.epochs >= Number.MAX_SAFE_INTEGER;
}

// --- main

/** What the end of an epoch monitors: fit()'s rule (kernel/train/loop.ts endEpoch). */
function monitoredVariable(plan: TrainPlan): 'val_loss' | 'epoch_loss' {
  const es = plan.config.earlyStopping;
  if (es) return es.monitor === 'valLoss' ? 'val_loss' : 'epoch_loss';
  return plan.data.validation ? 'val_loss' : 'epoch_loss';
}

function endOfEpoch(plan: TrainPlan): string[] {
  const es = plan.config.earlyStopping;
  const schedule = plan.schedule;
  const monitored = monitoredVariable(plan);
  const needsMonitor = es !== null || schedule?.plateau === true;
  const lines: string[] = ['epochs_done += 1'];
  if (needsMonitor && monitored === 'epoch_loss') lines.push('epoch_loss = sum(losses) / len(losses)');
  if (plan.data.validation) {
    lines.push('val_loss = validate(model, validation, device)');
    lines.push(...block('if rank == 0', [...call('', 'print', ['json.dumps({"epoch": epochs_done, "val_loss": val_loss})', 'flush=True'], 3)]));
  }
  if (schedule?.plateau) lines.push(`scheduler.step(${monitored})`);
  else if (schedule && plan.config.schedulerInterval === 'epoch') lines.push('scheduler.step()');
  if (es) {
    lines.push(
      ...block(`if ${monitored} < best_loss - MIN_DELTA`, [`best_loss, bad_epochs = ${monitored}, 0`, ...(es.restoreBest ? ['best_state = copy.deepcopy(model.state_dict())'] : [])]),
      ...block('else', [
        'bad_epochs += 1',
        ...block('if bad_epochs >= PATIENCE', [...(es.restoreBest ? ['# the best epoch\'s weights, as fit() restores them', 'model.load_state_dict(best_state)'] : []), 'break']),
      ]),
    );
  }
  return lines;
}

function mainFn(plan: TrainPlan): string[] {
  const { config, data, schedule } = plan;
  const stepSchedule = schedule !== null && !schedule.plateau && config.schedulerInterval === 'step';
  const dropLast = config.dropLast ? ['drop_last=True'] : [];
  const ck = config.checkpoint;
  const checkpointFile = plan.checkpointName !== null ? 'CHECKPOINT.format(step=step)' : str('model.safetensors');
  const metadata = '{"step": str(step), "epoch": str(epochs_done)}';
  const save = (level: number): string[] => call('', 'save_checkpoint', ['model', `args.out / ${checkpointFile}`, metadata], level);

  const setup = [
    'args = parse_args()',
    'dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")',
    'rank, world_size = dist.get_rank(), dist.get_world_size()',
    'device = torch.device("cpu")',
    ...block('if torch.cuda.is_available()', ['device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))', 'torch.cuda.set_device(device)']),
    'torch.manual_seed(SEED + rank)  # dropout masks: one stream per process',
    ...(plan.flushDenormal ? ['torch.set_flush_denormal(True)  # as RNN Lab flushes subnormal floats'] : []),
    '',
    `model = ${plan.structure.className}()`,
    'model.load_state_dict(load_file(HERE / "weights.safetensors"))',
    'model.to(device)',
    'ddp_model = DistributedDataParallel(model)',
    ...call('optimizer = ', plan.optimizer.fn, ['model.parameters()', ...plan.optimizer.args], 1),
    ...(schedule ? schedule.build.flatMap((b) => call(`${b.target} = `, b.call.fn, ['optimizer', ...b.call.args], 1)) : []),
    '',
    'data = load_file(HERE / "data.safetensors")',
    'train = Split(data, "train")',
    ...(data.validation ? ['validation = Split(data, "validation")'] : []),
    ...block('if args.global_batch and BATCH_SIZE % world_size', ['raise SystemExit("--global-batch: the processes must divide BATCH_SIZE")']),
    'batch_size = BATCH_SIZE // world_size if args.global_batch else BATCH_SIZE',
  ];

  const loaderFor = (dataset: string): string[] => [
    ...call('sampler = ', 'DistributedSampler', [dataset, 'shuffle=False', ...dropLast], 2),
    ...call('loader = ', 'DataLoader', [dataset, 'batch_size=batch_size', 'sampler=sampler', 'collate_fn=train.collate', ...dropLast], 2),
  ];
  const perStep = [
    ...block('if step == args.max_steps', ['break']),
    'losses.append(train_step(ddp_model, optimizer, batch, device))',
    'step += 1',
    ...block('if rank == 0', [...call('', 'print', ['json.dumps({"step": step, "loss": losses[-1]})', 'flush=True'], 4)]),
    ...(stepSchedule ? ['scheduler.step()'] : []),
    ...(ck?.everySteps != null ? block('if rank == 0 and step % CHECKPOINT_EVERY == 0', save(4)) : []),
  ];
  const epochBody = [
    ...(data.order ? ['examples = Subset(train, epoch_order(data["train.order"], epoch))', ...loaderFor('examples')] : []),
    'losses = []',
    ...block('for batch in loader', perStep),
    ...block('if len(losses) < len(loader)', ['break  # --max-steps ended the training within this epoch']),
    ...endOfEpoch(plan),
  ];
  const loop = [
    ...(data.order ? [] : loaderFor('train')),
    'step = epochs_done = 0',
    ...(config.earlyStopping ? ['best_loss, bad_epochs = math.inf, 0'] : []),
    ...block(`for ${data.order ? 'epoch' : '_'} in ${epochsUnbounded(config) ? 'itertools.count()' : 'range(EPOCHS)'}`, epochBody),
    ...block('if rank == 0', save(2)),
    'dist.destroy_process_group()',
  ];
  return def('main', [], null, [...setup, '', ...loop]);
}

function imports(plan: TrainPlan): Lines[] {
  const std = ['argparse', ...(plan.config.earlyStopping?.restoreBest ? ['copy'] : []), ...(epochsUnbounded(plan.config) ? ['itertools'] : []), 'json', 'math', 'os'].map((m) => `import ${m}`);
  return [
    [...std, 'from pathlib import Path'],
    [
      'import torch',
      'import torch.distributed as dist',
      'import torch.nn.functional as F',
      'from torch.nn.parallel import DistributedDataParallel',
      `from torch.utils.data import ${plan.data.order ? 'DataLoader, Dataset, Subset' : 'DataLoader, Dataset'}`,
      'from torch.utils.data.distributed import DistributedSampler',
    ],
    [`from model import ${plan.structure.className}`, 'from safetensors_io import load_file, save_file'],
  ];
}

function constants(plan: TrainPlan): string[] {
  const { config } = plan;
  const es = config.earlyStopping;
  return [
    'HERE = Path(__file__).resolve().parent',
    `SEED = ${int(config.seed)}`,
    ...(epochsUnbounded(config) ? [] : [`EPOCHS = ${int(config.epochs)}`]),
    ...(config.maxSteps !== null ? [`MAX_STEPS = ${int(config.maxSteps)}`] : []),
    `BATCH_SIZE = ${int(config.batchSize)}`,
    ...(config.clipGradNorm !== null ? [`CLIP_GRAD_NORM = ${float(config.clipGradNorm)}`] : []),
    ...(plan.objective.loss === 'crossEntropy' ? [`IGNORE_INDEX = ${int(plan.objective.ignoreIndex)}`] : []),
    ...(es ? [`PATIENCE = ${int(es.patience)}`, `MIN_DELTA = ${float(es.minDelta)}`] : []),
    ...(plan.checkpointName !== null ? [`CHECKPOINT = ${str(plan.checkpointName)}`] : []),
    ...(config.checkpoint?.everySteps != null ? [`CHECKPOINT_EVERY = ${int(config.checkpoint.everySteps)}`] : []),
  ];
}

/** One sentence per option fit() was given, for the docstring. */
export function describeTraining(plan: TrainPlan): string {
  const { config, objective, schedule } = plan;
  const x = inputName(plan);
  const called = plan.structure.kind === 'seq2seq' ? `model(${x}, lengths, targets) (teacher forcing)` : `model(${objective.lengths ? `${x}, lengths` : x})`;
  const parts = [
    plan.optimizer.summary,
    `${lossName(objective)} on ${called}`,
    config.maxSteps !== null && epochsUnbounded(config) ? `${config.maxSteps} steps` : `${epochsText(plan)}${config.maxSteps !== null ? ` (at most ${config.maxSteps} steps)` : ''}`,
    `batches of ${config.batchSize}${config.shuffle ? ' in fit()\'s shuffled order' : ' in order'}${config.dropLast ? ' (the last incomplete one dropped)' : ''}`,
    ...(config.clipGradNorm !== null ? [`the gradient norm clipped to ${config.clipGradNorm}`] : []),
    ...(schedule ? [`${schedule.summary} stepped every ${schedule.plateau || config.schedulerInterval === 'epoch' ? 'epoch' : 'step'}`] : []),
    `seed ${config.seed}`,
    ...(plan.data.validation ? ['validation after every epoch'] : []),
    ...(config.earlyStopping ? [`early stopping after ${config.earlyStopping.patience} epochs without improvement of the ${monitoredVariable(plan) === 'val_loss' ? 'validation' : 'training'} loss`] : []),
  ];
  return `${parts.join(', ')}.`;
}

/** The source of train.py. */
export function trainPy(plan: TrainPlan): string {
  if (plan.data.validation && !sameLayout(plan.data.train, plan.data.validation)) {
    throw new Error('PyTorch export: the training and validation data must be of one kind (both datasets, or both tensors { x, y, lengths })');
  }
  const doc =
    `Trains ${plan.structure.className} with PyTorch's DistributedDataParallel, as RNN Lab's fit() did.\n\n` +
    `fit()'s options, in PyTorch: ${describeTraining(plan)} See README.md.\n\n` +
    '    torchrun --standalone --nproc_per_node=2 train.py --out runs';
  return pythonModule([
    docstring(doc, 0),
    ...imports(plan),
    constants(plan),
    splitClass(plan),
    ...(plan.data.order ? [epochOrder(plan)] : []),
    batchLoss(plan),
    trainStep(plan),
    ...(plan.data.validation ? [validateFn()] : []),
    saveCheckpoint(),
    parseArgs(plan),
    mainFn(plan),
    block('if __name__ == "__main__"', ['main()']),
  ]);
}

function sameLayout(a: SplitLayout, b: SplitLayout): boolean {
  return a.trimmed === b.trimmed && a.lengths === b.lengths && a.targetLengths === b.targetLengths && a.tokens === b.tokens;
}
