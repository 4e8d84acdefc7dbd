import type { Argv, CommandModule } from 'yargs';
import { XmlcError, UsageError } from '../../src/errors.js';
import { readPredictions } from '../../src/metrics/predictions_file.js';
import { loadSplit, textFormatOfArg } from '../common.js';
import { stderrProgress } from '../progress.js';
import { printMetrics, propensityConstants, type ReportFlags, scorePredictions, withReportOptions } from '../report.js';
import { type PredictFlags, predictFromArgs, withPredictOptions } from './predict.js';

interface EvaluateArgs extends PredictFlags, ReportFlags { predictions?: string; train?: string }

/** `evaluate` scores either a model (`--model`) or a predictions file (`--predictions`): exactly one. @throws UsageError */
export function checkEvaluateArgs(a: { model?: string; predictions?: string; train?: string }): true {
  if ((a.model === undefined) === (a.predictions === undefined)) {
    throw new UsageError('name what to score: --model DIR (predict, then score) or --predictions FILE (score a predictions file).\nExample usage: xmlc evaluate --predictions pred.txt --test test.txt --train train.txt');
  }
  if (a.model !== undefined && a.train !== undefined) throw new UsageError('--train goes with --predictions: a model brings its own training labels');
  if (a.predictions !== undefined) {
    const modelOnly = ['k', 'ef-search', 'strategy', 'decoder-weight', 'decoder-precision'].filter((f) => (a as Record<string, unknown>)[f] !== undefined);
    if (modelOnly.length) throw new UsageError(`--${modelOnly[0]} changes how a model predicts: it goes with --model, not --predictions`);
  }
  return true;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: 'Score a model (predicting the test set) or a predictions file: P@k, nDCG@k, PSP@k, PSnDCG@k and recall@k (k = 1, 3, 5 unless --ks)',
  builder: (y: Argv) => withReportOptions(withPredictOptions(y, false))
    .option('predictions', { type: 'string', requiresArg: true, describe: 'score this predictions file (`label:score ...` per line, one line per test point) instead of a model' })
    .option('train', { type: 'string', requiresArg: true, describe: 'with --predictions: the training data, whose label frequencies give the propensities of PSP and PSnDCG' })
    .check((a) => checkEvaluateArgs(a))
    .example('$0 evaluate --model models/bibtex --test Bibtex_test.txt --json', '')
    .example('$0 evaluate --model models/eurlex --test EURLex-4K --ks 1,3,5,10 --metrics P,PSP', 'a fetched dataset by name (xmlc datasets fetch EURLex-4K)')
    .example('$0 evaluate --predictions pred.txt --test Bibtex:test --train Bibtex:train', 'score any `label:score` file') as unknown as Argv<EvaluateArgs>,
  handler: async (args) => {
    const kMax = Math.max(...args.ks);
    const propensity = propensityConstants(args, args.test);
    if (args.predictions === undefined) {
      const { ranked, truth, trainLabels, seconds } = await predictFromArgs(args, kMax);
      printMetrics(scorePredictions(ranked, truth, trainLabels, args, propensity, args.quiet), args, { points: truth.nRows, seconds });
      return;
    }
    if (textFormatOfArg(args.test, args) !== undefined) throw new UsageError('--predictions scores label ids against a BoW/LIBSVM test file; for text data use xmlc test --model DIR --test FILE (it matches label names)');
    const progress = stderrProgress(args);
    const ranked = await readPredictions(args.predictions, kMax);
    const test = await loadSplit(args.test, 'test', args, progress);
    if (ranked.nRows !== test.labels.nRows) {
      throw new XmlcError(`${args.predictions} has ${ranked.nRows} lines of predictions but ${test.source} has ${test.labels.nRows} points (one line per test point, in order)`);
    }
    const train = args.train !== undefined ? await loadSplit(args.train, 'train', args, progress) : undefined;
    printMetrics(scorePredictions(ranked, test.labels, train?.labels, args, propensity, args.quiet), args);
  },
};
