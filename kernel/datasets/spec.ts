// Datasets described as plain data, so that a description can cross a thread boundary (a worker
// rebuilds the same examples from it) or be saved with an experiment. Same spec, same examples.

import { Generator } from '../engine/rng';
import { addingProblemArjovsky, addingProblemHochreiter, type AddingOptions } from './adding';
import { charCorpus, type CharCorpusOptions } from './charCorpus';
import { copyMemory, type CopyMemoryOptions } from './copyMemory';
import { reberGrammar, type ReberOptions } from './reber';
import { textClassification, type TextClassificationOptions } from './textClassification';
import { timeSeries, type TimeSeriesOptions } from './timeSeries';
import { datePairs, reversalPairs, sortingPairs, type DateOptions, type SymbolSequenceOptions } from './transduction';
import type { Dataset } from './types';

/** Options without the generator, plus the seed it is made from (default 0). */
type Seeded<T> = Omit<T, 'generator'> & { seed?: number };

export type DatasetSpec =
  | ({ dataset: 'addingArjovsky' } & Seeded<AddingOptions>)
  | ({ dataset: 'addingHochreiter' } & Seeded<AddingOptions>)
  | ({ dataset: 'copyMemory' } & Seeded<CopyMemoryOptions>)
  | ({ dataset: 'reber' } & Seeded<ReberOptions>)
  | ({ dataset: 'timeSeries' } & Seeded<TimeSeriesOptions>)
  | ({ dataset: 'charCorpus' } & Seeded<Omit<CharCorpusOptions, 'tokenizer'>>)
  | ({ dataset: 'reversal' } & Seeded<SymbolSequenceOptions>)
  | ({ dataset: 'sorting' } & Seeded<SymbolSequenceOptions>)
  | ({ dataset: 'dates' } & Seeded<DateOptions>)
  | ({ dataset: 'textClassification' } & Omit<TextClassificationOptions, 'generator'>);

/** Builds the dataset a spec describes. */
export function createDataset(spec: DatasetSpec): Dataset {
  const generator = new Generator('seed' in spec && spec.seed !== undefined ? spec.seed : 0);
  switch (spec.dataset) {
    case 'addingArjovsky':
      return addingProblemArjovsky({ ...spec, generator });
    case 'addingHochreiter':
      return addingProblemHochreiter({ ...spec, generator });
    case 'copyMemory':
      return copyMemory({ ...spec, generator });
    case 'reber':
      return reberGrammar({ ...spec, generator });
    case 'timeSeries':
      return timeSeries({ ...spec, generator });
    case 'charCorpus':
      return charCorpus({ ...spec, generator });
    case 'reversal':
      return reversalPairs({ ...spec, generator });
    case 'sorting':
      return sortingPairs({ ...spec, generator });
    case 'dates':
      return datePairs({ ...spec, generator });
    case 'textClassification':
      return textClassification(spec);
    default: {
      const unknown: never = spec;
      throw new Error(`createDataset: unknown dataset ${JSON.stringify((unknown as { dataset: unknown }).dataset)}`);
    }
  }
}
