// README.md of an exported folder: what each file is, how to run it on one machine and on
// several, and what differs from fit() (said plainly, with the numbers of this export).

import type { TrainPlan } from './trainPy';
import { describeTraining } from './trainPy';

export function readmeMd(plan: TrainPlan): string {
  const { config, data, structure } = plan;
  const B = config.batchSize;
  const shape = (dims: number[]): string => `(${dims.join(', ')})`;
  const split = (name: string, layout: NonNullable<TrainPlan['data']['validation']>): string =>
    `\`${name}.inputs\` ${shape(layout.inputShape)}${layout.lengths ? `, \`${name}.lengths\`` : ''}, \`${name}.targets\` ${shape(layout.targetShape)}${layout.targetLengths ? `, \`${name}.target_lengths\`` : ''}`;
  const order = data.order
    ? `\`train.order\` (${data.order.epochs} × ${data.train.size}): the permutation of the training examples fit() draws from its seed at the start of each epoch${data.order.more ? `, for the first ${data.order.epochs} epochs (later epochs are shuffled by torch's generator)` : ''}`
    : 'no order: fit() does not shuffle, so every epoch reads the examples in order';
  const lines = [
    `# ${structure.className}: training exported from RNN Lab`,
    '',
    `\`fit(model, data, options)\` as a PyTorch program: ${describeTraining(plan)}`,
    '',
    '| file | what it is |',
    '| --- | --- |',
    `| \`model.py\` | \`${structure.className}\` as a \`torch.nn.Module\` with the RNN Lab model's attribute names (the same state-dict keys) |`,
    '| `weights.safetensors` | the weights the model had when it was exported (`load_state_dict(strict=True)` takes them) |',
    `| \`data.safetensors\` | ${split('train', data.train)}${data.validation ? `; ${split('validation', data.validation)}` : ''}; ${order} |`,
    '| `train.py` | the training loop under `DistributedDataParallel` (gloo on CPU, NCCL with CUDA) |',
    '| `safetensors_io.py` | `load_file` / `save_file`: `safetensors.torch` when installed, else a small reader and writer |',
    '',
    '## Running it',
    '',
    '```sh',
    'torchrun --standalone --nproc_per_node=1 train.py               # one process: fit()\'s steps',
    'torchrun --standalone --nproc_per_node=4 train.py --out runs    # four processes (or GPUs)',
    '```',
    '',
    'On several machines, start the same command on each with the number of machines and one',
    "rendezvous address (any machine's host and a free port):",
    '',
    '```sh',
    'torchrun --nnodes=2 --nproc_per_node=8 --rdzv-backend=c10d --rdzv-endpoint=HOST:29400 --rdzv-id=run1 train.py',
    '```',
    '',
    'Rank 0 prints one JSON line per step, `{"step": 1, "loss": 1.0986}`' + (data.validation ? ', and `{"epoch": 1, "val_loss": …}` after each epoch' : '') + '.',
    `It writes the final weights to \`--out\` (default \`runs/\`) as ${plan.checkpointName !== null ? `\`${plan.checkpointName}\`` : '`model.safetensors`'}` +
      `${config.checkpoint?.everySteps != null ? `, and every ${config.checkpoint.everySteps} steps` : ''}, under RNN Lab's names:`,
    'back in a notebook, `loadModel(model, \'runs/…safetensors\')` loads them into the RNN Lab model.',
    '`--max-steps K` stops after K steps.',
    '',
    '## What differs from fit()',
    '',
    `- **The global batch.** Each process takes its share of every batch (\`DistributedSampler\` over fit()'s order), and each process's batch is ${B} examples: with N processes a step sees N × ${B} examples and an epoch has N times fewer steps. \`--global-batch\` makes each process's batch ${B} / N, so that a step sees fit()'s ${B} examples (N must divide ${B}). Processes are weighted by their share of the loss's terms, as fit() weights its workers, so the gradient is the global batch's mean.`,
    "- **Float32 summation order.** PyTorch's kernels add in another order than RNN Lab's, so the losses agree to float32 rounding at first and drift apart slowly: with one process the first steps match fit()'s within about 1e-5 relative; later the runs are two samples of the same training.",
    "- **Dropout** draws its masks from torch's generator (seeded with the seed plus the rank), not RNN Lab's.",
    '- With N processes, `DistributedSampler` pads an epoch whose size N does not divide by repeating a few examples' + (config.dropLast ? ' (or, with dropLast, drops them)' : '') + '.',
    ...(data.validation ? ["- Each process validates on the whole validation split, as each of fit()'s workers does."] : []),
  ];
  return `${lines.join('\n')}\n`;
}
