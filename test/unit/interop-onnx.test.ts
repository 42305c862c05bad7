// ONNX export: every supported shape is exported, run in onnxruntime (onnxruntime-web), and compared with the
// engine's own forward on the same inputs (with and without sequence_lens, with and without
// initial states), to float32 tolerance. Also: what the file records (opset, gate order,
// attributes), recognition of models by probing, and the errors for what is not supported.

import { afterAll, describe, expect, it } from 'vitest';
import { Embedding, Generator, GRU, Linear, LSTM, manualSeed, Module, noGrad, relu, RNN, select, Tensor, type RNNBase } from '../../kernel/engine/index';
import { buildOnnxModel, decodeOnnxModel, exportOnnx, type OnnxModelProto } from '../../kernel/interop/index';
import { Seq2Seq } from '../../kernel/seq2seq/model';
import { greedyDecode } from '../../kernel/seq2seq/decode';
import { DiffLog, maxAbsDiff, randn, randomTokens, runOnnx, toleranceRatio, type Feed } from './interop-helpers';

const log = new DiffLog();
afterAll(() => console.log(`max |onnxruntime − engine| per case:\n${log.summary()}`));

function expectClose(label: string, got: Tensor | undefined, want: Tensor): void {
  expect(got, `${label}: missing output`).toBeDefined();
  expect(got!.shape, label).toEqual(want.shape);
  log.record(label, maxAbsDiff(got!, want));
  expect(toleranceRatio(got!, want), `${label}: max abs diff ${maxAbsDiff(got!, want)}`).toBeLessThanOrEqual(1);
}

/** The seed notebook's model: Embedding → 2-layer LSTM (dropout) → Linear on h_n[-1]. */
class LSTMModel extends Module {
  embedding = new Embedding(20, 8);
  lstm = new LSTM(8, 16, { numLayers: 2, dropout: 0.3, batchFirst: true });
  fc = new Linear(16, 3);
  forward(tokens: Tensor): Tensor {
    const { h } = this.lstm.forward(this.embedding.forward(tokens)); // h (2,N,16)
    return this.fc.forward(select(h, 0, -1)); // (N,3)
  }
}

/** A sequence tagger: Embedding → bidirectional GRU → Linear on every step, time-major. */
class Tagger extends Module {
  embed = new Embedding(15, 6);
  gru = new GRU(6, 7, { bidirectional: true, numLayers: 2 });
  out = new Linear(14, 5);
  forward(tokens: Tensor): { logits: Tensor } {
    return { logits: this.out.forward(this.gru.forward(this.embed.forward(tokens)).output) }; // (T,N,5)
  }
}

/** Float features → RNN → Linear on the last hidden state (no embedding). */
class Regressor extends Module {
  rnn = new RNN(2, 9, { batchFirst: true, numLayers: 2 });
  head = new Linear(9, 1);
  forward(x: Tensor): Tensor {
    return this.head.forward(select(this.rnn.forward(x).h, 0, -1));
  }
}

describe('recurrent layers in onnxruntime', () => {
  const layers: [string, () => RNNBase][] = [
    ['RNN tanh', () => new RNN(3, 5)],
    ['RNN relu 2-layer bidirectional batchFirst', () => new RNN(3, 5, { nonlinearity: 'relu', numLayers: 2, bidirectional: true, batchFirst: true })],
    ['LSTM', () => new LSTM(3, 5)],
    ['LSTM 3-layer bidirectional dropout', () => new LSTM(3, 5, { numLayers: 3, bidirectional: true, dropout: 0.2 })],
    ['LSTM batchFirst without bias', () => new LSTM(3, 5, { batchFirst: true, bias: false })],
    ['GRU 2-layer bidirectional batchFirst', () => new GRU(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true })],
    ['GRU Cho form (resetAfter false) 2-layer bidirectional', () => new GRU(3, 5, { resetAfter: false, numLayers: 2, bidirectional: true })],
  ];
  const [T, N] = [6, 4];
  for (const [name, make] of layers) {
    for (const withLengths of [false, true]) {
      for (const withState of [false, true]) {
        it(`${name}${withLengths ? ', sequence_lens' : ''}${withState ? ', h0/c0' : ''}`, async () => {
          manualSeed(3);
          const layer = make(); // left in training mode: the export is eval-mode regardless
          const gen = new Generator(11);
          const x = randn(gen, layer.batchFirst ? [N, T, 3] : [T, N, 3]);
          const LD = layer.numLayers * layer.numDirections;
          const h0 = withState ? randn(gen, [LD, N, 5]) : undefined;
          const c0 = withState && layer.cell.kind === 'lstm' ? randn(gen, [LD, N, 5]) : undefined;
          const lengths = withLengths ? [T, 2, 5, 1] : undefined;
          const bytes = exportOnnx(layer, { lengths: withLengths, initialState: withState });
          expect(layer.training).toBe(true);
          const feeds: Record<string, Feed> = { input: x };
          if (lengths) feeds.lengths = { int32: lengths };
          if (h0) feeds.h0 = h0;
          if (c0) feeds.c0 = c0;
          const got = await runOnnx(bytes, feeds);
          const want = noGrad(() => layer.eval().forward(x, { h0, c0, lengths }));
          expectClose(`${name} output`, got.output, want.output);
          expectClose(`${name} h_n`, got.h_n, want.h);
          if (want.c) expectClose(`${name} c_n`, got.c_n, want.c);
          else expect(got.c_n).toBeUndefined();
        });
      }
    }
  }

  it('runs any batch size and length from one file (N and T are symbolic)', async () => {
    manualSeed(4);
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    const bytes = exportOnnx(lstm);
    const gen = new Generator(2);
    for (const [t, n] of [[1, 1], [9, 2], [3, 7]] as const) {
      const x = randn(gen, [t, n, 3]);
      const got = await runOnnx(bytes, { input: x });
      expectClose('LSTM varying N,T output', got.output, noGrad(() => lstm.eval().forward(x)).output);
    }
  });
});

describe('models in onnxruntime', () => {
  it("the seed's LSTMModel (Embedding → 2-layer LSTM → Linear on h_n[-1]), recognised by probing", async () => {
    manualSeed(5);
    const model = new LSTMModel();
    const gen = new Generator(5);
    const tokens = randomTokens(gen, 20, [4, 7]); // (N,T), batchFirst
    const lengths = [7, 3, 1, 6];
    const got = await runOnnx(exportOnnx(model), { input: { int64: tokens } });
    expectClose('LSTMModel logits', got.logits, noGrad(() => model.eval().forward(tokens)));
    const withLengths = await runOnnx(exportOnnx(model, { lengths: true }), { input: { int64: tokens }, lengths: { int32: lengths } });
    const ref = noGrad(() => model.lstm.forward(model.embedding.forward(tokens), { lengths }));
    expectClose('LSTMModel logits, sequence_lens', withLengths.logits, noGrad(() => model.fc.forward(select(ref.h, 0, -1))));
    expectClose('LSTMModel h_n, sequence_lens', withLengths.h_n, ref.h);
    expectClose('LSTMModel c_n, sequence_lens', withLengths.c_n, ref.c);
  });

  it('a tagger (Embedding → bidirectional GRU → Linear on every step) returning { logits }', async () => {
    manualSeed(6);
    const model = new Tagger();
    const tokens = randomTokens(new Generator(6), 15, [5, 3]); // (T,N)
    const got = await runOnnx(exportOnnx(model), { input: { int64: tokens } });
    expectClose('Tagger logits', got.logits, noGrad(() => model.eval().forward(tokens)).logits);
  });

  it('float features → RNN → Linear on h_n[-1]', async () => {
    manualSeed(7);
    const model = new Regressor();
    const x = randn(new Generator(7), [3, 10, 2]);
    const got = await runOnnx(exportOnnx(model), { input: x });
    expectClose('Regressor output', got.logits, noGrad(() => model.eval().forward(x)));
  });

  for (const cell of ['lstm', 'gru'] as const) {
    it(`a seq2seq ${cell.toUpperCase()} model: encoder with sequence_lens, then greedy decoding with the decoder step`, async () => {
      manualSeed(8);
      const model = new Seq2Seq({ sourceVocabSize: 11, embeddingDim: 6, hiddenSize: 8, numLayers: 2, cell, dropout: 0.1 });
      model.eval();
      const gen = new Generator(8);
      const src = randomTokens(gen, 11, [3, 6]);
      const lengths = [6, 4, 2];
      const encoder = exportOnnx(model.encoder, { lengths: true });
      const decoder = exportOnnx(model.decoder);
      expect(decodeOnnxModel(decoder).metadata_props.find((p) => p.key === 'rnn-lab.spec')!.value).toContain('"kind":"step"');

      const encoded = await runOnnx(encoder, { input: { int64: src }, lengths: { int32: lengths } });
      const engine = noGrad(() => model.encode(src, lengths));
      expectClose(`seq2seq ${cell} encoder outputs`, encoded.output, engine.memory.outputs);
      expectClose(`seq2seq ${cell} encoder h_n`, encoded.h_n, engine.state.h);

      // Decode 6 steps in onnxruntime, feeding back its own argmax, next to the engine.
      let state = { h: encoded.h_n!, c: encoded.c_n ?? null };
      let engineState = engine.state;
      let input = new Tensor(new Float32Array(3).fill(model.sos), [3]);
      const produced: number[][] = [[], [], []];
      for (let t = 0; t < 6; t++) {
        const feeds: Record<string, Feed> = { input: { int64: input }, h0: state.h };
        if (state.c) feeds.c0 = state.c;
        const step = await runOnnx(decoder, feeds);
        const ref = noGrad(() => model.decoder.forward(input, engineState));
        expectClose(`seq2seq ${cell} decoder logits`, step.logits, ref.logits);
        expectClose(`seq2seq ${cell} decoder h_n`, step.h_n, ref.state.h);
        if (ref.state.c) expectClose(`seq2seq ${cell} decoder c_n`, step.c_n, ref.state.c);
        const next = Array.from({ length: 3 }, (_, n) => {
          const row = step.logits!.data.subarray(n * 11, (n + 1) * 11);
          return row.indexOf(Math.max(...row));
        });
        next.forEach((tok, n) => produced[n]!.push(tok));
        input = new Tensor(Float32Array.from(next), [3]);
        state = { h: step.h_n!, c: step.c_n ?? null };
        engineState = ref.state;
      }
      const greedy = greedyDecode(model, src, lengths, { maxLength: 6 }).sequences;
      greedy.forEach((seq, n) => expect(produced[n]!.slice(0, seq.length)).toEqual(seq));
    });
  }

  for (const cell of ['lstm', 'gru'] as const) {
    it(`a seq2seq ${cell.toUpperCase()} model with Luong attention: the decoder step takes memory and mask, returns the weights`, async () => {
      manualSeed(14);
      const model = new Seq2Seq({ sourceVocabSize: 11, embeddingDim: 6, hiddenSize: 8, numLayers: 2, cell, attention: true });
      model.eval();
      const src = randomTokens(new Generator(14), 11, [3, 6]);
      const lengths = [6, 3, 5];
      const decoder = exportOnnx(model.decoder);
      const proto = decodeOnnxModel(decoder);
      expect(proto.graph.input.map((i) => i.name)).toEqual(cell === 'lstm' ? ['input', 'h0', 'c0', 'memory', 'mask'] : ['input', 'h0', 'memory', 'mask']);
      expect(proto.graph.output.map((o) => o.name)).toEqual(cell === 'lstm' ? ['logits', 'h_n', 'c_n', 'attention'] : ['logits', 'h_n', 'attention']);
      const encoded = await runOnnx(exportOnnx(model.encoder, { lengths: true }), { input: { int64: src }, lengths: { int32: lengths } });
      const engine = noGrad(() => model.encode(src, lengths));
      let state = { h: encoded.h_n!, c: encoded.c_n ?? null };
      let engineState = engine.state;
      let input = new Tensor(new Float32Array(3).fill(model.sos), [3]);
      for (let t = 0; t < 5; t++) {
        const feeds: Record<string, Feed> = { input: { int64: input }, h0: state.h, memory: encoded.output!, mask: engine.memory.mask };
        if (state.c) feeds.c0 = state.c;
        const step = await runOnnx(decoder, feeds);
        const ref = noGrad(() => model.decoder.forward(input, engineState, engine.memory));
        expectClose(`seq2seq ${cell} attention decoder logits`, step.logits, ref.logits);
        expectClose(`seq2seq ${cell} attention weights`, step.attention, ref.attention!);
        expectClose(`seq2seq ${cell} attention decoder h_n`, step.h_n, ref.state.h);
        expect(Array.from(step.attention!.data.subarray(6 + 3, 12))).toEqual([0, 0, 0]); // row 1 has 3 real positions
        const next = Float32Array.from({ length: 3 }, (_, n) => {
          const row = ref.logits.data.subarray(n * 11, (n + 1) * 11);
          return row.indexOf(Math.max(...row));
        });
        input = new Tensor(next, [3]);
        state = { h: step.h_n!, c: step.c_n ?? null };
        engineState = ref.state;
      }
    });
  }

  it('an explicit spec exports a model whose forward the probe cannot read', async () => {
    class Wrapped extends Module {
      embedding = new Embedding(9, 4);
      lstm = new LSTM(4, 6, { batchFirst: true });
      fc = new Linear(6, 2);
      forward(tokens: Tensor): Tensor[] {
        return [this.fc.forward(select(this.lstm.forward(this.embedding.forward(tokens)).h, 0, -1))];
      }
    }
    manualSeed(9);
    const model = new Wrapped();
    expect(() => exportOnnx(model)).toThrow(/Wrapped.forward matches none of the compositions[\s\S]*no tensor, logits, output or outputs/);
    const tokens = randomTokens(new Generator(9), 9, [2, 5]);
    const bytes = exportOnnx(model, { spec: { kind: 'sequence', embedding: model.embedding, recurrent: model.lstm, head: model.fc, headOn: 'lastHidden' } });
    const got = await runOnnx(bytes, { input: { int64: tokens } });
    expectClose('explicit spec logits', got.logits, noGrad(() => model.eval().forward(tokens)[0]!));
  });

  it('writes opsets 14 to 21 with their IR versions, all running to the same numbers', async () => {
    manualSeed(10);
    const model = new LSTMModel();
    const tokens = randomTokens(new Generator(10), 20, [2, 4]);
    const want = noGrad(() => model.eval().forward(tokens));
    for (const [opset, ir] of [[14, 7], [17, 8], [19, 9], [21, 10]] as const) {
      const bytes = exportOnnx(model, { opsetVersion: opset });
      const proto = decodeOnnxModel(bytes);
      expect(proto.opset_import).toEqual([expect.objectContaining({ domain: '', version: opset })]);
      expect(proto.ir_version).toBe(ir);
      expectClose(`LSTMModel opset ${opset}`, (await runOnnx(bytes, { input: { int64: tokens } })).logits, want);
    }
  });
});

describe('what the file records', () => {
  const nodes = (m: OnnxModelProto, op: string) => m.graph.node.filter((n) => n.op_type === op);
  const attr = (m: OnnxModelProto, op: string, name: string) => nodes(m, op)[0]!.attribute.find((a) => a.name === name);
  const initializer = (m: OnnxModelProto, name: string) => {
    const t = m.graph.initializer.find((i) => i.name === name)!;
    return { dims: t.dims, values: new Float32Array(new Uint8Array(t.raw_data).buffer) };
  };

  it('LSTM: one node per layer, both directions in it, gates reordered i,f,g,o → i,o,f,c, layout 0', () => {
    manualSeed(12);
    const lstm = new LSTM(3, 2, { numLayers: 2, bidirectional: true });
    const m = decodeOnnxModel(exportOnnx(lstm));
    expect(m.producer_name).toBe('rnn-lab');
    expect(nodes(m, 'LSTM')).toHaveLength(2);
    expect(attr(m, 'LSTM', 'hidden_size')!.i).toBe(2);
    expect(new TextDecoder().decode(attr(m, 'LSTM', 'direction')!.s)).toBe('bidirectional');
    expect(attr(m, 'LSTM', 'layout')!.i).toBe(0);
    const W = initializer(m, 'rnn_W_l0');
    expect(W.dims).toEqual([2, 8, 3]);
    const H = 2;
    const block = (data: Float32Array, k: number) => Array.from(data.subarray(k * H * 3, (k + 1) * H * 3));
    const torchForward = lstm.weight_ih_l0.data; // i,f,g,o
    const torchReverse = lstm.weight_ih_l0_reverse.data;
    const onnx = W.values; // [forward i,o,f,c | reverse i,o,f,c]
    [0, 3, 1, 2].forEach((from, to) => {
      expect(block(onnx, to)).toEqual(block(torchForward, from));
      expect(block(onnx, 4 + to)).toEqual(block(torchReverse, from));
    });
    const B = initializer(m, 'rnn_B_l0');
    expect(B.dims).toEqual([2, 16]);
    expect(Array.from(B.values.subarray(0, 2))).toEqual(Array.from(lstm.bias_ih_l0.data.subarray(0, 2))); // Wb_i
    expect(Array.from(B.values.subarray(2, 4))).toEqual(Array.from(lstm.bias_ih_l0.data.subarray(6, 8))); // Wb_o
    expect(Array.from(B.values.subarray(8, 10))).toEqual(Array.from(lstm.bias_hh_l0.data.subarray(0, 2))); // Rb_i
    expect(initializer(m, 'rnn_W_l1').dims).toEqual([2, 8, 4]); // layer 1 reads D·H = 4
  });

  it('GRU: z,r,h order and linear_before_reset 1 for the PyTorch form, 0 for Cho et al.', () => {
    manualSeed(13);
    const gru = new GRU(3, 2);
    const m = decodeOnnxModel(exportOnnx(gru));
    expect(attr(m, 'GRU', 'linear_before_reset')!.i).toBe(1);
    const W = initializer(m, 'rnn_W_l0').values;
    expect(Array.from(W.subarray(0, 6))).toEqual(Array.from(gru.weight_ih_l0.data.subarray(6, 12))); // z
    expect(Array.from(W.subarray(6, 12))).toEqual(Array.from(gru.weight_ih_l0.data.subarray(0, 6))); // r
    expect(attr(decodeOnnxModel(exportOnnx(new GRU(3, 2, { resetAfter: false }))), 'GRU', 'linear_before_reset')!.i).toBe(0);
  });

  it('RNN: one activation per direction; the spec and signature in metadata_props', () => {
    const m = buildOnnxModel(new RNN(3, 2, { nonlinearity: 'relu', bidirectional: true, batchFirst: true }), { lengths: true });
    expect(attr(m, 'RNN', 'activations')!.strings!.map((s) => new TextDecoder().decode(s))).toEqual(['Relu', 'Relu']);
    const meta = Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['rnn-lab.spec']!)).toMatchObject({ kind: 'sequence', operator: 'RNN', batchFirst: true, bidirectional: true });
    expect(meta['rnn-lab.signature']).toBe('inputs: input float (N,T,3), lengths int32 (N); outputs: output (N,T,4), h_n (2,N,2)');
    expect(m.graph.input.map((i) => i.name)).toEqual(['input', 'lengths']);
    expect(m.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_param: 'N' }, { dim_param: 'T' }, { dim_value: 3 }].map((d) => expect.objectContaining(d)));
  });
});

describe('what is not supported, and why', () => {
  it('names the children of a model it cannot recognise', () => {
    class TwoRecurrent extends Module {
      a = new LSTM(2, 3);
      b = new GRU(3, 3);
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x).output).output;
      }
    }
    expect(() => exportOnnx(new TwoRecurrent())).toThrow(/cannot recognise TwoRecurrent \(children: a: LSTM, b: GRU\)/);
  });

  it('lists the compositions it tried when forward does something else', () => {
    class ReluHead extends Module {
      lstm = new LSTM(2, 3);
      fc = new Linear(3, 2);
      forward(x: Tensor): Tensor {
        return this.fc.forward(relu(select(this.lstm.forward(x).h, 0, -1)));
      }
    }
    expect(() => exportOnnx(new ReluHead())).toThrow(/sequence \(LSTM → Linear on h_n\[-1\]\): outputs differ by up to[\s\S]*sequence \(LSTM → Linear on every output\): forward gave \(2,2\)[\s\S]*Pass \{ spec:/);
  });

  it('suggests exporting a seq2seq model as its encoder and decoder', () => {
    const model = new Seq2Seq({ sourceVocabSize: 7, embeddingDim: 3, hiddenSize: 4 });
    expect(() => exportOnnx(model)).toThrow(/exportOnnx\(model\.encoder\) and exportOnnx\(model\.decoder\)/);
  });

  it('checks an attention spec', () => {
    const gru = new GRU(3, 4, { bidirectional: true });
    expect(() => exportOnnx(gru, { spec: { kind: 'step', recurrent: gru, attention: { combine: new Linear(8, 4) } } })).toThrow(/an attention decoder step must be unidirectional/);
    const lstm = new LSTM(3, 4);
    expect(() => exportOnnx(lstm, { spec: { kind: 'step', recurrent: lstm, attention: { combine: new Linear(4, 4) } } })).toThrow(/combine is Linear\(4, 4\) but must map \[context; h\] \(2·hiddenSize = 8\) to hiddenSize 4/);
  });

  it('checks specs and options', () => {
    const lstm = new LSTM(4, 3);
    expect(() => exportOnnx(lstm, { opsetVersion: 13 })).toThrow(/opsetVersion 13 is not supported; use one of 14, 15/);
    expect(() => exportOnnx(lstm, { spec: { kind: 'sequence', embedding: new Embedding(5, 6), recurrent: lstm } })).toThrow(/the embedding gives 6-vectors but LSTM has inputSize 4/);
    expect(() => exportOnnx(lstm, { spec: { kind: 'sequence', recurrent: lstm, head: new Linear(6, 2) } })).toThrow(/the head is Linear\(6, 2\) but reads every step's output \(numDirections·hiddenSize = 3\)/);
    expect(() => exportOnnx(lstm, { spec: { kind: 'step', recurrent: lstm }, lengths: true })).toThrow(/a step model always takes h0/);
  });
});
