// Datasets for recurrent networks, and the batching that feeds them to a model.
//
// The contract (types.ts), for notebooks and for the trainer:
//
//   interface Dataset {            // finite and indexable; examples are flat Float32Arrays
//     name; length;
//     inputKind: 'tokens' | 'features';   inputSize;    // vocabulary size, or I features per step
//     targetKind: 'class' | 'value' | 'tokenSequence' | 'valueSequence';  targetSize;
//     padIndex;                     // token id used to pad token inputs
//     get(i): { input: Float32Array; target: Float32Array };
//   }
//
//   const loader = new DataLoader(ds, { batchSize: 32, shuffle: true, generator: new Generator(1) });
//   for (const { x, lengths, y, targetLengths } of loader) { … }   // one `for … of` = one epoch
//
// Batches are batch first, padded to the longest example in the batch:
//   x  (N,T) token ids | (N,T,I) features          → model with batchFirst: true, forward(x, { lengths })
//   y  (N,) class ids | (N,O) | (N,Ty) ids padded with IGNORE_INDEX (-100) | (N,Ty,O) padded with 0
// Class targets are float tensors holding integer indices, as crossEntropy expects; for token
// sequences flatten logits to (N·Ty,C) and y to (N·Ty,) and pass { ignoreIndex: IGNORE_INDEX }.
//
// Everything random takes a seeded Generator (engine/rng); the same seed gives the same data.
// A DatasetSpec (plain JSON) plus createDataset() rebuilds a dataset inside a worker thread.

export { IGNORE_INDEX, type Batch, type Dataset, type Example, type InputKind, type TargetKind } from './types';
export { ArrayDataset, type DatasetInfo } from './arrayDataset';
export { DataLoader, collate, type DataLoaderOptions } from './dataLoader';
export { Subset, trainValidationSplit, randomSplit, type SplitOptions } from './split';
export { createDataset, type DatasetSpec } from './spec';

export {
  addingProblemArjovsky,
  addingProblemHochreiter,
  ARJOVSKY_ADDING_BASELINE_MSE,
  hochreiterAddingBaselineMse,
  HOCHREITER_ADDING_TOLERANCE,
  type AddingOptions,
} from './adding';
export { copyMemory, copyMemoryBaseline, COPY_BLANK, COPY_DELIMITER, COPY_CATEGORIES, type CopyMemoryOptions } from './copyMemory';
export {
  reberGrammar,
  ReberDataset,
  generateReber,
  generateEmbeddedReber,
  isReber,
  isEmbeddedReber,
  reberSuccessors,
  REBER_SYMBOLS,
  type ReberSymbol,
  type ReberOptions,
} from './reber';
export { timeSeries, TimeSeriesDataset, DEFAULT_COMPONENTS, type TimeSeriesOptions, type SineComponent } from './timeSeries';
export { CharTokenizer } from './charTokenizer';
export { charCorpus, corpusText, CharCorpusDataset, type CharCorpusOptions, type CorpusName } from './charCorpus';
export { generateText } from './generatedText';
export { SONNETS } from './sonnets';
export { Vocabulary, PAD, SOS, EOS, SPECIAL_TOKENS } from './vocabulary';
export {
  reversalPairs,
  sortingPairs,
  datePairs,
  TransductionDataset,
  DATE_FORMATS,
  type SymbolSequenceOptions,
  type DateOptions,
} from './transduction';
export { WordTokenizer } from './wordTokenizer';
export {
  textClassification,
  generateSentence,
  TextClassificationDataset,
  SENTIMENT_CLASSES,
  type TextClassificationOptions,
} from './textClassification';
