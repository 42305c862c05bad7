"""Eval-mode outputs of an exported model (an exportTorch folder) on its validation examples.

    /usr/bin/python3 scripts/interop/torch_predict.py DIR CHECKPOINT CLASS CALL COUNT OUT

Builds model.py's CLASS with CHECKPOINT's weights (a file train.py wrote), batches the first
COUNT validation examples of DIR/data.safetensors with train.py's own Split.collate, and runs
the model as CALL says: "x" model(inputs), "x_lengths" model(inputs, lengths), "seq2seq"
model(inputs, lengths, targets) (teacher forcing). The output (the first one, for a model
returning (output, state)) is written to OUT, a safetensors file with one tensor, "output".
test/unit/interop-torch-training.test.ts compares it with RNN Lab's on the same weights.
"""

import importlib
import sys


def main(folder, checkpoint, class_name, call, count, out):
    sys.path.insert(0, folder)
    train = importlib.import_module("train")  # main() runs only when train.py is the script
    model = getattr(importlib.import_module("model"), class_name)()
    model.load_state_dict(train.load_file(checkpoint))
    model.eval()
    split = train.Split(train.load_file(f"{folder}/data.safetensors"), "validation")
    batch = split.collate(list(range(min(int(count), len(split)))))
    inputs, targets = batch[0], batch[-1]
    with train.torch.no_grad():
        if call == "x":
            output = model(inputs)
        elif call == "x_lengths":
            output = model(inputs, batch[1].tolist())
        elif call == "seq2seq":
            output = model(inputs, batch[1].tolist(), targets)
        else:
            raise SystemExit(f"unknown CALL {call!r}: x, x_lengths or seq2seq")
    if isinstance(output, tuple):
        output = output[0]
    train.save_file({"output": output.contiguous()}, out)


if __name__ == "__main__":
    if len(sys.argv) != 7:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
