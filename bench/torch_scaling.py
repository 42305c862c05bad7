# PyTorch peer of `npm run bench -- --scaling` (bench/scaling.ts): one size in this fresh process.
# The same model as RNN Lab's: nn.LSTM or nn.GRU (one layer, batch_first) with nn.Linear(H, 1) on
# every step's output, MSE against (B,T,1) targets in (-1, 1), inputs uniform in (-1, 1), Adam
# (lr 1e-3). Steps on 1 thread, then on 2 (torch.set_num_threads): 2 warm-up steps, then as many
# timed ones as fit in ~1.5 s (3 to 20; on 2 threads 2 to the 1-thread count), median, as
# bench/scaling.ts stepsFor.
# Peak memory: the process's resident-set high-water mark after the 1-thread steps
# (resource.getrusage ru_maxrss, KB on Linux) minus the resident set before the first step
# (/proc/self/statm), the measure RNN Lab's child takes too. PyTorch's CPU allocator mallocs and
# frees tensors directly (no caching on CPU), so the mark is the autograd graph's saved tensors at
# their largest plus whatever the step allocates beside them.
#
# usage: /usr/bin/python3 torch_scaling.py '{"cell":"lstm","seq":200,"hidden":128,"batch":16,"input":32}'
# prints one JSON line: {"version", "one_thread_ms", "two_threads_ms", "steps", "rss0_mb", "peak_mb"}
import json, os, resource, sys, time

import torch
import torch.nn as nn

size = json.loads(sys.argv[1])
B, T, I, H = size['batch'], size['seq'], size['input'], size['hidden']
torch.set_num_threads(1)
torch.manual_seed(0)

Cell = {'lstm': nn.LSTM, 'gru': nn.GRU}[size['cell']]
rnn = Cell(I, H, 1, batch_first=True)
fc = nn.Linear(H, 1)
x = torch.rand(B, T, I) * 2 - 1
y = torch.rand(B, T, 1) * 2 - 1
opt = torch.optim.Adam(list(rnn.parameters()) + list(fc.parameters()), lr=1e-3)


def step():
    opt.zero_grad()
    out, _ = rnn(x)
    nn.functional.mse_loss(fc(out), y).backward()
    opt.step()


def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def steps_for(ms, budget_ms=1500, lo=3, hi=20):
    return max(lo, min(hi, int(budget_ms // ms))) if ms > 0 else hi


def timed(cap=20, lo=3):
    step()
    t0 = time.perf_counter()
    step()
    n = min(cap, steps_for((time.perf_counter() - t0) * 1e3, lo=lo))
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2] * 1e3, n


rss0 = rss_mb()
one, n = timed()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0
torch.set_num_threads(2)
# At most as many steps as on 1 thread, at least 2: on a loaded 2-core machine OpenMP's second
# thread can make a step many times slower (its spin-waits lose the core), and ~1.5 s caps that too.
two, _ = timed(n, lo=2)
print(json.dumps({'version': torch.__version__, 'one_thread_ms': round(one, 3), 'two_threads_ms': round(two, 3), 'steps': n, 'rss0_mb': round(rss0, 1), 'peak_mb': round(max(0.0, peak), 1)}))
