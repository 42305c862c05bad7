"""The torch.nn side of the PyTorch round trip: the models of scripts/interop/models.ts, built from
the same JSON configs, with the same state-dict names (so one safetensors file fits both), and
run with the same semantics (eval mode; variable lengths through packed sequences)."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def run_recurrent(rnn, x, lengths=None, h0=None):
    """PyTorch's nn.RNN/LSTM/GRU on a padded batch; with lengths, packed (enforce_sorted=False) and
    padded back to the input's T. h0 is a tensor, an (h0, c0) tuple for an LSTM, or None."""
    if lengths is None:
        return rnn(x, h0)
    T = x.shape[1] if rnn.batch_first else x.shape[0]
    packed = pack_padded_sequence(x, torch.as_tensor(lengths), batch_first=rnn.batch_first, enforce_sorted=False)
    out, state = rnn(packed, h0)
    out, _ = pad_packed_sequence(out, batch_first=rnn.batch_first, total_length=T)
    return out, state


def make_recurrent(cell, input_size, hidden_size, **kwargs):
    if cell == "lstm":
        return nn.LSTM(input_size, hidden_size, **kwargs)
    if cell == "gru":
        return nn.GRU(input_size, hidden_size, **kwargs)
    return nn.RNN(input_size, hidden_size, nonlinearity="relu" if cell == "rnn_relu" else "tanh", **kwargs)


class LSTMModel(nn.Module):
    """Embedding -> LSTM (batch first) -> Linear on h_n[-1], the seed notebook's model."""

    def __init__(self, vocab, embed, hidden, layers, classes, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, dropout=dropout, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, tokens):
        _, (h, c) = self.lstm(self.embedding(tokens))
        return self.fc(h[-1]), h, c


class Tagger(nn.Module):
    """Embedding -> bidirectional GRU (batch first) -> Linear on every step."""

    def __init__(self, vocab, embed, hidden, layers, tags):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.gru = nn.GRU(embed, hidden, num_layers=layers, bidirectional=True, batch_first=True)
        self.out = nn.Linear(2 * hidden, tags)

    def forward(self, tokens, lengths=None):
        out, _ = run_recurrent(self.gru, self.embedding(tokens), lengths)
        return self.out(out)


class Encoder(nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed, padding_idx=0)
        self.rnn = make_recurrent(cell, embed, hidden, num_layers=layers, batch_first=True)

    def forward(self, src, lengths):
        return run_recurrent(self.rnn, self.embedding(src), lengths)


class Decoder(nn.Module):
    """One step: previous tokens (N,) and state -> logits (N,V) from h_n[-1], new state. With
    attention (Luong et al. 2015, global dot): h~ = tanh(combine([context; h_n[-1]])) feeds out."""

    def __init__(self, cell, vocab, embed, hidden, layers, attention=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed, padding_idx=0)
        self.rnn = make_recurrent(cell, embed, hidden, num_layers=layers, batch_first=True)
        self.combine = nn.Linear(2 * hidden, hidden) if attention else None
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens, state, memory=None, mask=None):
        _, state = self.rnn(self.embedding(tokens).unsqueeze(1), state)
        h = state[0] if isinstance(state, tuple) else state
        top = h[-1]  # (N,H)
        if self.combine is None:
            return self.out(top), state
        scores = torch.bmm(memory, top.unsqueeze(2)).squeeze(2) + mask  # (N,S)
        weights = torch.softmax(scores, -1)
        context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)  # (N,H)
        return self.out(torch.tanh(self.combine(torch.cat([context, top], 1)))), state


class Seq2Seq(nn.Module):
    """RNN Lab's Seq2Seq without attention (kernel/seq2seq): <pad> 0, <sos> 1, <eos> 2."""

    SOS = 1

    def __init__(self, cell, vocab, embed, hidden, layers, attention=False):
        super().__init__()
        self.encoder = Encoder(cell, vocab, embed, hidden, layers)
        self.decoder = Decoder(cell, vocab, embed, hidden, layers, attention)

    def forward(self, src, lengths, target):
        """Teacher forcing: logits (N,Ty,V), encoder outputs (N,S,H) and encoder h_n."""
        enc_out, state = self.encoder(src, lengths)
        enc_h = state[0] if isinstance(state, tuple) else state
        S = src.shape[1]
        mask = torch.zeros(src.shape[0], S)  # additive: -1e9 at padding, as sourceMask()
        for n, length in enumerate(lengths):
            mask[n, length:] = -1e9
        inp = torch.full((src.shape[0],), self.SOS, dtype=torch.long)
        steps = []
        for t in range(target.shape[1]):
            logits, state = self.decoder(inp, state, enc_out, mask)
            steps.append(logits)
            inp = target[:, t]
        return torch.stack(steps, 1), enc_out, enc_h


def build_model(config):
    kind = config["model"]
    if kind == "recurrent":
        return make_recurrent(
            config["cell"], config["inputSize"], config["hiddenSize"],
            num_layers=config["numLayers"], bidirectional=config["bidirectional"], batch_first=config["batchFirst"],
        )
    if kind == "lstm_model":
        return LSTMModel(config["vocab"], config["embed"], config["hidden"], config["layers"], config["classes"], config["dropout"])
    if kind == "tagger":
        return Tagger(config["vocab"], config["embed"], config["hidden"], config["layers"], config["tags"])
    if kind == "seq2seq":
        return Seq2Seq(config["cell"], config["vocab"], config["embed"], config["hidden"], config["layers"], config.get("attention", False))
    raise ValueError(f"unknown model kind {kind!r}")


def tensor(j, dtype=torch.float32):
    return torch.tensor(j["data"], dtype=dtype).reshape(j["shape"])


def run_model(model, config, inputs):
    """Eval-mode outputs by the names the fixtures use (see runModel in models.ts)."""
    model.eval()
    kind = config["model"]
    lengths = inputs.get("lengths")
    with torch.no_grad():
        if kind == "recurrent":
            h0 = tensor(inputs["h0"]) if inputs.get("h0") else None
            if config["cell"] == "lstm" and h0 is not None:
                h0 = (h0, tensor(inputs["c0"]))
            out, state = run_recurrent(model, tensor(inputs["input"]), lengths, h0)
            if isinstance(state, tuple):
                return {"output": out, "h_n": state[0], "c_n": state[1]}
            return {"output": out, "h_n": state}
        if kind == "lstm_model":
            logits, h, c = model(tensor(inputs["tokens"], torch.long))
            return {"logits": logits, "h_n": h, "c_n": c}
        if kind == "tagger":
            return {"logits": model(tensor(inputs["tokens"], torch.long), lengths)}
        if kind == "seq2seq":
            logits, enc_out, enc_h = model(tensor(inputs["src"], torch.long), lengths, tensor(inputs["target"], torch.long))
            return {"encoder_outputs": enc_out, "encoder_h_n": enc_h, "logits": logits}
    raise ValueError(f"unknown model kind {kind!r}")
