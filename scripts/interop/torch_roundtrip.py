"""The PyTorch half of "moving to PyTorch" (run with Debian's /usr/bin/python3 and python3-torch).

1. RNN Lab -> PyTorch: every test/fixtures/interop/engine_<name>.safetensors (written by
   scripts/interop/write_engine_fixtures.ts with saveModel) is loaded with
   load_state_dict(strict=True) into the equivalent torch.nn model (torch_models.py), run on the
   inputs stored in engine_<name>.json, and compared with the outputs RNN Lab stored there.
   The results go to test/fixtures/interop/pytorch_check.json, with the SHA-256 of the files checked.
2. PyTorch -> RNN Lab: trains small models in torch (Adam, a few dozen steps on toy tasks), saves
   them as torch_<name>.safetensors with their eval outputs in torch_<name>.json; the JavaScript
   half (test/unit/interop-torch.test.ts, run in CI) loads them with loadModel and compares.

    /usr/bin/python3 scripts/interop/torch_roundtrip.py            # both
    /usr/bin/python3 scripts/interop/torch_roundtrip.py --check    # 1 only
    /usr/bin/python3 scripts/interop/torch_roundtrip.py --train    # 2 only

Exits non-zero when an output differs by more than float32 tolerance (|a-b| <= 1e-5 + 1e-4|b|).
"""

import argparse
import hashlib
import json
import pathlib
import sys

import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))  # safetensors_io (Debian has no python3-safetensors)
sys.path.insert(0, str(HERE))

from safetensors_io import load_file, save_file  # noqa: E402
from torch_models import build_model, run_model  # noqa: E402

FIXTURES = HERE.parent.parent / "test" / "fixtures" / "interop"
ATOL, RTOL = 1e-5, 1e-4


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def compare(got, want):
    """(max |got - want|, worst |got - want| / (ATOL + RTOL |want|))."""
    if list(got.shape) != list(want.shape):
        return float("inf"), float("inf")
    diff = (got.double() - want.double()).abs()
    ratio = diff / (ATOL + RTOL * want.double().abs())
    return float(diff.max()) if diff.numel() else 0.0, float(ratio.max()) if ratio.numel() else 0.0


def check_engine_fixtures():
    """Part 1; returns True when every output is within tolerance."""
    results = {}
    ok = True
    for json_path in sorted(FIXTURES.glob("engine_*.json")):
        fixture = json.loads(json_path.read_text())
        st_path = json_path.with_suffix(".safetensors")
        model = build_model(fixture["config"])
        tensors, metadata = load_file(st_path)
        model.load_state_dict(tensors, strict=True)  # every key present, none extra, shapes equal
        outputs = run_model(model, fixture["config"], fixture["inputs"])
        case = {"safetensors_sha256": sha256(st_path), "json_sha256": sha256(json_path), "max_abs_diff": {}, "metadata": metadata}
        for name, want in fixture["outputs"].items():
            diff, ratio = compare(outputs[name], torch.tensor(want["data"]).reshape(want["shape"]))
            case["max_abs_diff"][name] = diff
            case_ok = ratio <= 1
            ok &= case_ok
            print(f"  {fixture['name']:<22} {name:<16} max |torch - rnn-lab| = {diff:.2e}  {'ok' if case_ok else 'FAIL'}")
        case["ok"] = all(compare(outputs[n], torch.tensor(w["data"]).reshape(w["shape"]))[1] <= 1 for n, w in fixture["outputs"].items())
        results[fixture["name"]] = case
    report = {"torch": torch.__version__, "tolerance": {"atol": ATOL, "rtol": RTOL}, "cases": results}
    (FIXTURES / "pytorch_check.json").write_text(json.dumps(report, indent=1) + "\n")
    return ok


# ---- Part 2: torch-trained models ------------------------------------------------------------


def counting_batch(gen, n, T, vocab):
    """Tokens (n,T); label = which of the tokens 0, 1, 2 occurs most (ties to the smallest)."""
    x = torch.randint(0, vocab, (n, T), generator=gen)
    counts = torch.stack([(x == k).sum(1) for k in range(3)], 1)
    return x, counts.argmax(1)


def previous_parity_batch(gen, n, T, vocab):
    """Tokens (n,T); tag_t = parity of token_{t-1} (0 at t=0) plus 2 if token_t > token_{t-1}."""
    x = torch.randint(0, vocab, (n, T), generator=gen)
    prev = torch.cat([torch.zeros(n, 1, dtype=torch.long), x[:, :-1]], 1)
    return x, prev % 2 + 2 * (x > prev).long()


def reversal_batch(gen, n, S, vocab):
    """src (n,S) of symbols 3..vocab-1, target = reversed src then <eos> 2."""
    src = torch.randint(3, vocab, (n, S), generator=gen)
    target = torch.cat([src.flip(1), torch.full((n, 1), 2)], 1)
    return src, target


def train(model, steps, loss_fn):
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses


def write_torch_fixture(name, config, model, inputs, notes):
    outputs = run_model(model, config, inputs)
    st_path = FIXTURES / f"torch_{name}.safetensors"
    save_file(model.state_dict(), st_path, metadata={"format": "pt", "producer": f"torch {torch.__version__}"})
    fixture = {
        "name": name,
        "config": config,
        "producer": f"torch {torch.__version__}",
        "inputs": inputs,
        "outputs": {k: to_json(v) for k, v in outputs.items()},
        "notes": notes,
    }
    (FIXTURES / f"torch_{name}.json").write_text(json.dumps(fixture) + "\n")
    print(f"  torch_{name}: loss {notes['loss_first']:.3f} -> {notes['loss_last']:.3f}; outputs {', '.join(outputs)}")


def train_torch_models():
    ce = nn.CrossEntropyLoss()

    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    config = {"model": "lstm_model", "vocab": 12, "embed": 8, "hidden": 16, "layers": 2, "classes": 3, "dropout": 0.3}
    model = build_model(config)

    def lstm_loss():
        x, y = counting_batch(gen, 32, 10, 12)
        return ce(model(x)[0], y)

    losses = train(model, 80, lstm_loss)
    x, _ = counting_batch(torch.Generator().manual_seed(99), 4, 10, 12)
    write_torch_fixture("lstm_model", config, model, {"tokens": to_json(x.float())}, {"task": "most frequent of tokens 0-2", "steps": 80, "loss_first": losses[0], "loss_last": losses[-1]})

    torch.manual_seed(2)
    gen = torch.Generator().manual_seed(2)
    config = {"model": "tagger", "vocab": 10, "embed": 6, "hidden": 8, "layers": 2, "tags": 4}
    model = build_model(config)

    def tagger_loss():
        x, y = previous_parity_batch(gen, 32, 8, 10)
        return ce(model(x).reshape(-1, 4), y.reshape(-1))

    losses = train(model, 80, tagger_loss)
    x, _ = previous_parity_batch(torch.Generator().manual_seed(98), 3, 8, 10)
    write_torch_fixture("gru_tagger", config, model, {"tokens": to_json(x.float()), "lengths": [8, 5, 3]}, {"task": "previous-token parity and rise", "steps": 80, "loss_first": losses[0], "loss_last": losses[-1]})

    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(3)
    config = {"model": "seq2seq", "cell": "lstm", "vocab": 10, "embed": 8, "hidden": 24, "layers": 2, "attention": True}
    model = build_model(config)

    def seq2seq_loss():
        src, target = reversal_batch(gen, 32, 5, 10)
        logits, _, _ = model(src, [5] * 32, target)
        return ce(logits.reshape(-1, 10), target.reshape(-1))

    losses = train(model, 120, seq2seq_loss)
    src, target = reversal_batch(torch.Generator().manual_seed(97), 3, 5, 10)
    src[2, 3:] = 0  # a shorter source (3 symbols, padded) exercises the lengths and the attention mask
    target[2] = torch.tensor([src[2, 2], src[2, 1], src[2, 0], 2, 0, 0])  # <eos>, then <pad>
    inputs = {"src": to_json(src.float()), "lengths": [5, 5, 3], "target": to_json(target.float())}
    write_torch_fixture("seq2seq_attention_lstm", config, model, inputs, {"task": "reverse 5 symbols", "steps": 120, "loss_first": losses[0], "loss_last": losses[-1]})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check the engine-written files")
    parser.add_argument("--train", action="store_true", help="only write the torch-trained files")
    args = parser.parse_args()
    both = not (args.check or args.train)
    ok = True
    print(f"torch {torch.__version__}")
    if args.check or both:
        print("RNN Lab -> PyTorch (engine_*.safetensors in torch.nn):")
        ok = check_engine_fixtures()
    if args.train or both:
        print("PyTorch -> RNN Lab (training torch models, writing torch_*.safetensors):")
        train_torch_models()
    print("all within float32 tolerance" if ok else "SOME OUTPUTS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
