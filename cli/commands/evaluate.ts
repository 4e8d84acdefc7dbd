import type { Argv, CommandModule } from 'yargs';
import { printMetrics, REPORTED_KS, scorePredictions } from '../report.js';
import { type PredictFlags, predictFromArgs, withPredictOptions } from './predict.js';

export interface PropensityFlags { 'propensity-a': number; 'propensity-b': number; json: boolean }
interface EvaluateArgs extends PredictFlags, PropensityFlags {}

/** Options of the metric report: propensity model constants and JSON output. */
export function withReportOptions<T>(y: Argv<T>): Argv<T & PropensityFlags> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object (P@k, nDCG@k, PSP@k for k = 1, 3, 5, in %)' })
    // Jain et al. 2016: A = 0.55, B = 1.5 for most sets; 0.6 / 2.6 for Amazon, 0.5 / 0.4 for Wikipedia.
    .option('propensity-a', { type: 'number', default: 0.55, describe: 'propensity model constant A (Jain et al. 2016)', group: 'Metrics:' })
    .option('propensity-b', { type: 'number', default: 1.5, describe: 'propensity model constant B (Jain et al. 2016)', group: 'Metrics:' }) as Argv<T & PropensityFlags>;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: 'Predict the test set and print P@k, nDCG@k, PSP@k, PSnDCG@k and recall@k (k = 1, 3, 5)',
  builder: (y: Argv) => withReportOptions(withPredictOptions(y))
    .example('$0 evaluate --model models/bibtex --test Bibtex_test.txt --json', '') as unknown as Argv<EvaluateArgs>,
  handler: async (args) => {
    const { ranked, truth, model } = await predictFromArgs(args, Math.max(...REPORTED_KS));
    printMetrics(scorePredictions(ranked, truth, model.trainLabels, args['propensity-a'], args['propensity-b']), args.json);
  },
};
