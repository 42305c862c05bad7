// Sequence-to-sequence models with teacher forcing, scheduled sampling, greedy and beam-search
// decoding, and metrics that show exposure bias.
//
//   const data = reversalPairs({ size: 2000, generator: new Generator(1) });
//   const model = new Seq2Seq({ sourceVocabSize: data.vocabulary.size, embeddingDim: 16, hiddenSize: 64, attention: true });
//   const schedule = new ScheduledSampling({ kind: 'inverseSigmoid', k: 100 });
//   for (const batch of loader) {
//     const { loss } = seq2seqLoss(model, batch, { teacherForcingRatio: schedule.ratio(step++) });
//     …
//   }
//   evaluateSeq2Seq(model, test, { mode: 'teacherForced' });   // { tokenAccuracy, exactMatch }
//   evaluateSeq2Seq(model, test, { mode: 'freeRunning' });
//   greedyDecode(model, x, lengths).attention  // per example, steps × source positions (heatmap)
//   beamSearch(model, x, lengths, { beamWidth: 4 })

export { Seq2Seq, type Seq2SeqOptions, type Seq2SeqOutput, type TeacherForcingOptions } from './model';
export { Encoder, makeRecurrent, type CellType, type EncoderOutput, type RecurrentStackOptions } from './encoder';
export { Decoder, type DecoderStep, type Memory } from './decoder';
export { luongDotAttention, sourceMask, type AttentionResult } from './attention';
export { type RecurrentState, selectRows, selectStateRows } from './state';
export { ScheduledSampling, type ScheduledSamplingDecay } from './schedule';
export { greedyDecode, beamSearch, type DecodeOptions, type DecodeResult, type BeamSearchOptions, type BeamSearchResult } from './decode';
export {
  sequenceScores,
  tokenAccuracy,
  exactMatch,
  batchTargets,
  predictBatch,
  evaluateSeq2Seq,
  type SequenceScores,
  type DecodingMode,
} from './metrics';
export { seq2seqLoss } from './loss';
