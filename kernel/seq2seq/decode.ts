// Decoding without the target: greedy (the argmax token at every step) and beam search. Both run
// the decoder one step at a time, carrying the recurrent state, under noGrad.

import { argmax } from '../engine/ops';
import { noGrad, Tensor } from '../engine/tensor';
import type { Memory } from './decoder';
import type { Seq2Seq } from './model';
import { selectRows, selectStateRows } from './state';

export interface DecodeOptions {
  /** Most tokens to produce per example (the <eos> included). Default 50. */
  maxLength?: number;
}

export interface DecodeResult {
  /** The tokens each example produced, ending with <eos> when the model emitted it. */
  sequences: number[][];
  /** Per example, per produced token, the attention over the source (steps × S); null without attention. */
  attention: number[][][] | null;
}

/** Feeds each step's argmax back as the next input until every example has emitted <eos>. */
export function greedyDecode(model: Seq2Seq, src: Tensor, lengths: readonly number[], options: DecodeOptions = {}): DecodeResult {
  const maxLength = options.maxLength ?? 50;
  return noGrad(() => {
    const N = src.shape[0]!;
    const S = src.shape[1]!;
    const encoded = model.encode(src, lengths);
    let state = encoded.state;
    const sequences: number[][] = Array.from({ length: N }, () => []);
    const attention: number[][][] | null = model.attention ? Array.from({ length: N }, () => []) : null;
    const done = new Array<boolean>(N).fill(false);
    let input = new Tensor(new Float32Array(N).fill(model.sos), [N]);
    for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
      const step = model.decoder.forward(input, state, encoded.memory);
      state = step.state;
      const next = argmax(step.logits, 1).data; // (N,)
      for (let n = 0; n < N; n++) {
        if (done[n]) continue;
        sequences[n]!.push(next[n]!);
        if (attention && step.attention) attention[n]!.push(Array.from(step.attention.data.subarray(n * S, (n + 1) * S)));
        if (next[n] === model.eos) done[n] = true;
      }
      input = new Tensor(Float32Array.from(next), [N]);
    }
    return { sequences, attention };
  });
}

export interface BeamSearchOptions extends DecodeOptions {
  beamWidth: number;
  /**
   * Hypotheses are ranked by (sum of log-probabilities) / length^α. Default α = 0 (the plain sum,
   * which favours short outputs); about 0.6–1 is common.
   */
  lengthPenalty?: number;
}

export interface BeamSearchResult {
  /** The best hypothesis of each example, ending with <eos> when it finished. */
  sequences: number[][];
  /** Its sum of log-probabilities. */
  scores: number[];
  /** Every finished (or, at maxLength, unfinished) hypothesis per example, best first. */
  hypotheses: { tokens: number[]; score: number }[][];
}

interface Beam {
  tokens: number[];
  score: number;
}

/**
 * Beam search, one example at a time with the beams as the batch. At each step every live beam
 * proposes every token; the `beamWidth` best candidates (by summed log-probability, ties to the
 * earlier beam and lower token id) survive; a candidate ending in <eos> is set aside as finished.
 * The search stops when `beamWidth` hypotheses have finished, no beam is alive, or at maxLength.
 * With beamWidth 1 this is exactly greedy decoding.
 */
export function beamSearch(model: Seq2Seq, src: Tensor, lengths: readonly number[], options: BeamSearchOptions): BeamSearchResult {
  const K = options.beamWidth;
  if (!Number.isInteger(K) || K < 1) throw new Error(`beamSearch: beamWidth must be a positive integer, got ${K}`);
  const maxLength = options.maxLength ?? 50;
  const alpha = options.lengthPenalty ?? 0;
  const rank = (b: Beam): number => (alpha === 0 ? b.score : b.score / Math.max(1, b.tokens.length) ** alpha);
  return noGrad(() => {
    const N = src.shape[0]!;
    const encoded = model.encode(src, lengths);
    const result: BeamSearchResult = { sequences: [], scores: [], hypotheses: [] };
    for (let n = 0; n < N; n++) {
      let memory: Memory = { outputs: selectRows(encoded.memory.outputs, 0, [n]), mask: selectRows(encoded.memory.mask, 0, [n]) };
      let state = selectStateRows(encoded.state, [n]);
      let beams: Beam[] = [{ tokens: [], score: 0 }];
      const finished: Beam[] = [];
      for (let t = 0; t < maxLength && beams.length > 0 && finished.length < K; t++) {
        const input = new Tensor(Float32Array.from(beams, (b) => (b.tokens.length ? b.tokens[b.tokens.length - 1]! : model.sos)), [beams.length]);
        const step = model.decoder.forward(input, state, memory);
        const logProbs = logSoftmaxRows(step.logits); // (k,V) in float64
        const V = step.logits.shape[1]!;
        const candidates = topCandidates(beams, logProbs, V, K);
        const survivors: { beam: Beam; from: number }[] = [];
        for (const { from, token, score } of candidates) {
          const beam = { tokens: [...beams[from]!.tokens, token], score };
          if (token === model.eos) finished.push(beam);
          else survivors.push({ beam, from });
        }
        beams = survivors.map((s) => s.beam);
        if (beams.length === 0) break;
        const rows = survivors.map((s) => s.from);
        state = selectStateRows(step.state, rows);
        memory = { outputs: selectRows(memory.outputs, 0, rows.map(() => 0)), mask: selectRows(memory.mask, 0, rows.map(() => 0)) };
      }
      const pool = finished.length > 0 ? finished : beams;
      // A stable sort keeps the earlier-found hypothesis first among equals.
      const ordered = [...pool].sort((a, b) => rank(b) - rank(a));
      result.hypotheses.push(ordered);
      result.sequences.push(ordered[0]!.tokens);
      result.scores.push(ordered[0]!.score);
    }
    return result;
  });
}

/** Log-softmax of each row of (k,V) logits, in float64 so that distinct logits stay distinct. */
function logSoftmaxRows(logits: Tensor): Float64Array {
  const [k, V] = logits.shape as [number, number];
  const out = new Float64Array(k * V);
  for (let r = 0; r < k; r++) {
    const row = logits.data.subarray(r * V, (r + 1) * V);
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    let total = 0;
    for (const v of row) total += Math.exp(v - m);
    const lse = m + Math.log(total);
    for (let c = 0; c < V; c++) out[r * V + c] = row[c]! - lse;
  }
  return out;
}

/** The K best (beam, token) extensions by total score; ties go to the earlier beam, then the lower token. */
function topCandidates(beams: readonly Beam[], logProbs: Float64Array, V: number, K: number): { from: number; token: number; score: number }[] {
  const all: { from: number; token: number; score: number }[] = [];
  beams.forEach((b, from) => {
    for (let token = 0; token < V; token++) all.push({ from, token, score: b.score + logProbs[from * V + token]! });
  });
  // Array.prototype.sort is stable: equal scores keep (beam, token) order.
  all.sort((a, b) => b.score - a.score);
  return all.slice(0, K);
}
