# PyTorch peer of `npm run bench`: ../shared/bench/torch_bench.py as it is (the shared workloads),
# then the bench's own workloads (bench/workloads.ts BENCH_WORKLOADS, passed as JSON) timed the
# same way (median step after 3 warm-up steps), optionally with torch.set_flush_denormal(True) for
# the whole run, so that one bench run shows PyTorch with and without its flush to zero.
# --flush-pairs: only the bench's own workloads, each as two identical models whose steps take
# turns, torch.set_flush_denormal(False) before one and (True) before the other (the ratio then
# holds on a machine others share).
#
# usage: python3 torch_peer.py THREADS STEPS [--flush-denormal | --flush-pairs] [--extra JSON] [--shared PATH] [--extra-only]
# prints one JSON line, torch_bench.py's shape: {"peer": "pytorch-<version>-threads<N>[-flush|-flush-pairs]",
# "flush_denormal": bool, "results": {workload: {"ms_per_step", "gflops"[, "flush_on_ms_per_step"]}}}
# (with --flush-pairs, ms_per_step is the unflushed steps' median)
import contextlib, io, json, math, os, runpy, sys, time

import torch
import torch.nn as nn


def arg_value(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


threads = int(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith('--') else 30
flush = '--flush-denormal' in sys.argv
pairs = '--flush-pairs' in sys.argv
extra = json.loads(arg_value('--extra', '{}'))
shared = arg_value('--shared', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench', 'torch_bench.py'))

# x86: flush-to-zero and denormals-are-zero for this thread, before anything is computed.
if (flush or pairs) and not torch.set_flush_denormal(True):
    sys.exit('torch.set_flush_denormal(True) is not supported on this CPU')
torch.set_flush_denormal(flush)

suffix = '-flush' if flush else '-flush-pairs' if pairs else ''
out = {'peer': f'pytorch-{torch.__version__}-threads{threads}{suffix}', 'flush_denormal': flush, 'results': {}}

if '--extra-only' not in sys.argv and not pairs:
    # The shared script runs at import; its last line of output is its JSON.
    captured = io.StringIO()
    argv = sys.argv
    sys.argv = [shared, str(threads), str(steps)]
    try:
        with contextlib.redirect_stdout(captured):
            runpy.run_path(shared, run_name='__main__')
    finally:
        sys.argv = argv
    out['results'].update(json.loads(captured.getvalue().strip().splitlines()[-1])['results'])

torch.set_num_threads(threads)
torch.manual_seed(0)
Cell = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}


def flops(w):
    g = {'lstm': 4, 'gru': 3, 'rnn': 1}[w['cell']]
    H = w['hidden']
    I = w.get('embed', w.get('input'))
    f = 0
    for l in range(w['layers']):
        f += 2 * w['batch'] * w['seq'] * g * H * ((I if l == 0 else H) + H)
    return f * (3 if w['train'] else 1)


def sin_inputs(B, T, I):
    # bench/subnormals.ts sinInputs: x[b, t, i] = sin(0.05·(i+1)·t + 2π·b/B)
    t = torch.arange(T, dtype=torch.float64)
    x = torch.empty(B, T, I, dtype=torch.float64)
    for b in range(B):
        for i in range(I):
            x[b, :, i] = torch.sin(0.05 * (i + 1) * t + 2 * math.pi * b / B)
    return x.float()


def hidden_target(B, H):
    # bench/subnormals.ts hiddenTarget: 0.5·sin(1.7·k + 0.3) over the (B,H) values in order
    return (0.5 * torch.sin(1.7 * torch.arange(B * H, dtype=torch.float64) + 0.3)).float().reshape(B, H)


def make_step(w):
    """One training step of a fresh model of the workload (seeded: every call builds the same)."""
    if w['task'] != 'state-last':
        sys.exit(f'torch_peer.py: task {w["task"]} is not known here')
    torch.manual_seed(0)
    B, T, I, H = w['batch'], w['seq'], w['input'], w['hidden']
    rnn = Cell[w['cell']](I, H, w['layers'], batch_first=True)
    x = sin_inputs(B, T, I) if w.get('inputs') == 'sin' else torch.rand(B, T, I) * 2 - 1
    y = hidden_target(B, H)
    opt = torch.optim.Adam(rnn.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        _, state = rnn(x)
        h = state[0] if isinstance(state, tuple) else state  # (layers, B, H)
        nn.functional.mse_loss(h[-1], y).backward()
        opt.step()

    return step


def median_ms(ts):
    ts = sorted(ts)
    return ts[len(ts) // 2] * 1e3


for name, w in extra.items():
    # Without pairs: one model, as torch_bench.py times. With pairs: the flush off and on take turns.
    runs = [(False, make_step(w)), (True, make_step(w))] if pairs else [(flush, make_step(w))]
    times = {f: [] for f, _ in runs}
    for i in range(3 + steps):
        for f, step in (runs if i % 2 == 0 else runs[::-1]):
            if pairs:
                torch.set_flush_denormal(f)
            t0 = time.perf_counter()
            step()
            if i >= 3:
                times[f].append(time.perf_counter() - t0)
    ms = median_ms(times[False if pairs else flush])
    out['results'][name] = {'ms_per_step': round(ms, 3), 'gflops': round(flops(w) / ms / 1e6, 2)}
    if pairs:
        out['results'][name]['flush_on_ms_per_step'] = round(median_ms(times[True]), 3)

print(json.dumps(out))
