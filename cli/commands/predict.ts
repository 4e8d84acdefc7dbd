import type { Argv, CommandModule } from 'yargs';
import { loadModel } from '../../src/model/load.js';
import { formatRanked } from '../../src/predict/output.js';
import { type Ranked } from '../../src/ranking/topk.js';
import { applyCompute, type BackendArgs, type DataArgs, loadData, numericFlag, orBundled, withBackendOption, withDataOptions, writeOutput } from '../common.js';
import { limitRanked } from '../report.js';
import { note, stderrProgress } from '../progress.js';
import { readManifest } from '../../src/model/io.js';
import { type NumericSpec, PARAM_SPECS, PREDICT_DEFAULTS, STRATEGIES } from '../../src/model/params.js';
import { UsageError } from '../../src/errors.js';

export interface PredictFlags extends DataArgs, BackendArgs {
  model?: string;
  test?: string;
  'top-k'?: number;
  k?: number;
  'ef-search'?: number;
  strategy?: string;
  'decoder-weight'?: number;
}

/** What predictions are written: the first `top-k` labels of each point, those scoring at least `threshold`. */
export interface OutputFlags { out?: string; 'top-k'?: number; threshold?: number }

interface PredictArgs extends PredictFlags, OutputFlags {}

/** `--threshold`: any finite score. */
const THRESHOLD_SPEC: NumericSpec = Object.freeze({ int: false });

/** Adds `--top-k` and `--threshold` (and `--out` described as `outDescription`). */
export function withOutputOptions<T>(y: Argv<T>, outDescription: string, topKDefault: string): Argv<T & OutputFlags> {
  return y
    .option('out', { type: 'string', requiresArg: true, describe: outDescription })
    .option(...numericFlag('top-k', PARAM_SPECS.topK, { describe: 'labels per point', defaultDescription: topKDefault }))
    .option(...numericFlag('threshold', THRESHOLD_SPEC, { describe: 'keep only labels scoring at least T (after --top-k)' })) as Argv<T & OutputFlags>;
}

/** Adds `--model` (required unless `requireModel` is false), `--test` and the per-call prediction parameters. */
export function withPredictOptions<T>(y: Argv<T>, requireModel = true): Argv<T & PredictFlags> {
  return withBackendOption(withDataOptions(y))
    .option('model', { type: 'string', demandOption: requireModel, describe: 'model directory written by `xmlc train`' })
    .option('test', { type: 'string', describe: 'test data file', defaultDescription: 'bundled Bibtex test split' })
    .option(...numericFlag('k', PARAM_SPECS.k, { describe: 'override the number of voting neighbours', group: 'Parameters:' }))
    .option(...numericFlag('ef-search', PARAM_SPECS.efSearch, { describe: 'override the HNSW search candidate list', group: 'Parameters:' }))
    .option('strategy', { type: 'string', choices: [...STRATEGIES], describe: 'embedding models: score by the kNN vote, the decoder, or their average', defaultDescription: 'the one trained with', group: 'Parameters:' })
    .option(...numericFlag('decoder-weight', PARAM_SPECS.decoderWeight, { describe: 'embedding models: weight w of the decoder in the average, (1 − w)·kNN + w·decoder', defaultDescription: 'the trained one', group: 'Parameters:' })) as Argv<T & PredictFlags>;
}

/** Load the model and the test data, and rank `topK` labels per test point. */
export async function predictFromArgs(args: PredictFlags, topK: number): Promise<{ ranked: Ranked; truth: import('../../src/data/csr.js').Csr; model: Awaited<ReturnType<typeof loadModel>>; seconds: number }> {
  const progress = stderrProgress(args);
  await applyCompute(args, (await readManifest(args.model!)).method);
  const model = await loadModel(args.model!);
  const ds = await loadData(orBundled(args.test, 'test', args.quiet), args, progress, { nFeatures: model.nFeatures, nLabels: model.nLabels });
  const t0 = performance.now();
  const params: Record<string, unknown> = { topK };
  if (args.k !== undefined) params['k'] = args.k;
  if (args['ef-search'] !== undefined) params['efSearch'] = args['ef-search'];
  if (args.strategy !== undefined) {
    if (model.method === 'knn') throw new UsageError('--strategy applies to embedding models; this is a knn model');
    params['strategy'] = args.strategy;
  }
  if (args['decoder-weight'] !== undefined) {
    if (model.method === 'knn') throw new UsageError('--decoder-weight applies to embedding models; this is a knn model');
    params['decoderWeight'] = args['decoder-weight'];
  }
  if (model.method !== 'knn') {
    const strategy = (params['strategy'] as string | undefined) ?? model.params.strategy;
    const w = (params['decoderWeight'] as number | undefined) ?? model.decoderWeight;
    note(args.quiet, `model: ${model.method}, ${model.params.ensemble} model${model.params.ensemble > 1 ? 's' : ''}, m = ${model.embeddingDim}; strategy ${strategy}${strategy === 'average' ? ` (decoder weight ${w})` : ''}`);
  }
  const ranked = await model.predict(ds, params, progress);
  const seconds = (performance.now() - t0) / 1000;
  progress({ status: 'done', task: 'predict', seconds, detail: `${(1000 * seconds / Math.max(1, ds.features.nRows)).toFixed(3)} ms/point` });
  return { ranked, truth: ds.labels, model, seconds };
}

export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict',
  describe: 'Write the top-k labels and scores of every test point (`label:score ...` per line) to stdout or --out',
  builder: (y: Argv) => withOutputOptions(withPredictOptions(y), 'output file (written atomically); - or none: stdout', String(PREDICT_DEFAULTS.topK))
    .example('$0 predict --model models/bibtex --test Bibtex_test.txt --out pred.txt --top-k 5', '')
    .example('$0 predict --model models/bibtex --test Bibtex --threshold 0.5 > pred.txt', '') as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    const topK = args['top-k'] ?? PREDICT_DEFAULTS.topK;
    const { ranked } = await predictFromArgs(args, topK);
    await writeOutput(args.out, formatRanked(limitRanked(ranked, topK, args.threshold)));
  },
};
