import type { Argv, CommandModule } from 'yargs';
import { datasetArg } from '../../datasets/fetch.js';
import { printMetrics, REPORTED_KS, scorePredictions } from '../report.js';
import { type PredictFlags, predictFromArgs, withPredictOptions } from './predict.js';

export interface PropensityFlags { 'propensity-a'?: number; 'propensity-b'?: number; json: boolean }

/**
 * The propensity constants A, B: the flags, else the registry's for a test set named by its
 * dataset name (e.g. Wiki10-31K: 0.5, 0.4), else Jain et al.'s general 0.55, 1.5.
 */
export function propensityConstants(args: PropensityFlags, test: string | undefined): { a: number; b: number } {
  const info = test !== undefined ? datasetArg(test)?.info : undefined;
  const d = info?.propensity ?? { a: 0.55, b: 1.5 };
  return { a: args['propensity-a'] ?? d.a, b: args['propensity-b'] ?? d.b };
}
interface EvaluateArgs extends PredictFlags, PropensityFlags {}

/** Options of the metric report: propensity model constants and JSON output. */
export function withReportOptions<T>(y: Argv<T>): Argv<T & PropensityFlags> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object (P@k, nDCG@k, PSP@k for k = 1, 3, 5, in %)' })
    // Jain et al. 2016: A = 0.55, B = 1.5 for most sets; 0.6 / 2.6 for Amazon, 0.5 / 0.4 for Wikipedia.
    .option('propensity-a', { type: 'number', defaultDescription: '0.55, or the registry\'s for a named dataset', describe: 'propensity model constant A (Jain et al. 2016)', group: 'Metrics:' })
    .option('propensity-b', { type: 'number', defaultDescription: '1.5, or the registry\'s for a named dataset', describe: 'propensity model constant B (Jain et al. 2016)', group: 'Metrics:' }) as Argv<T & PropensityFlags>;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: 'Predict the test set and print P@k, nDCG@k, PSP@k, PSnDCG@k and recall@k (k = 1, 3, 5)',
  builder: (y: Argv) => withReportOptions(withPredictOptions(y))
    .example('$0 evaluate --model models/bibtex --test Bibtex_test.txt --json', '')
    .example('$0 evaluate --model models/eurlex --test EURLex-4K', 'a fetched dataset by name (xmlc datasets fetch EURLex-4K)') as unknown as Argv<EvaluateArgs>,
  handler: async (args) => {
    const { ranked, truth, model } = await predictFromArgs(args, Math.max(...REPORTED_KS));
    const { a, b } = propensityConstants(args, args.test);
    printMetrics(scorePredictions(ranked, truth, model.trainLabels, a, b), args.json);
  },
};
