import type { Argv, CommandModule } from 'yargs';
import { loadModel } from '../../src/model/load.js';
import { formatRanked } from '../../src/predict/output.js';
import { type Ranked } from '../../src/predict/topk.js';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { applyBackend, type BackendArgs, type DataArgs, loadData, orBundled, withBackendOption, withDataOptions } from '../common.js';
import { note, stderrProgress } from '../progress.js';
import { EmbeddingModel } from '../../src/model/embed_model.js';
import { PREDICT_DEFAULTS, STRATEGIES } from '../../src/model/params.js';
import { UsageError } from '../../src/errors.js';

export interface PredictFlags extends DataArgs, BackendArgs {
  model: string;
  test?: string;
  'top-k'?: number;
  k?: number;
  'ef-search'?: number;
  strategy?: string;
  'decoder-weight'?: number;
}

interface PredictArgs extends PredictFlags { out: string }

/** Adds `--model`, `--test` and the per-call prediction parameters. */
export function withPredictOptions<T>(y: Argv<T>): Argv<T & PredictFlags> {
  return withBackendOption(withDataOptions(y))
    .option('model', { type: 'string', demandOption: true, describe: 'model directory written by `xmlc train`' })
    .option('test', { type: 'string', describe: 'test data file', defaultDescription: 'bundled Bibtex test split' })
    .option('k', { type: 'number', describe: 'override the number of voting neighbours', group: 'Parameters:' })
    .option('ef-search', { type: 'number', describe: 'override the HNSW search candidate list', group: 'Parameters:' })
    .option('strategy', { type: 'string', choices: [...STRATEGIES], describe: 'embedding models: score by the kNN vote, the decoder, or their average', defaultDescription: 'the one trained with', group: 'Parameters:' })
    .option('decoder-weight', { type: 'number', describe: 'embedding models: weight w of the decoder in the average, (1 − w)·kNN + w·decoder', defaultDescription: 'the trained one', group: 'Parameters:' }) as Argv<T & PredictFlags>;
}

/** Load the model and the test data, and rank `topK` labels per test point. */
export async function predictFromArgs(args: PredictFlags, topK: number): Promise<{ ranked: Ranked; truth: import('../../src/data/csr.js').Csr; model: Awaited<ReturnType<typeof loadModel>>; seconds: number }> {
  const progress = stderrProgress(args.quiet);
  await applyBackend(args);
  const model = await loadModel(args.model);
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
  if (model instanceof EmbeddingModel) {
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
  describe: 'Write the top-k labels and scores of every test point (`label:score ...` per line)',
  builder: (y: Argv) => withPredictOptions(y)
    .option('out', { type: 'string', demandOption: true, describe: 'output file (written atomically)' })
    .option('top-k', { type: 'number', default: PREDICT_DEFAULTS.topK, describe: 'labels per point' })
    .example('$0 predict --model models/bibtex --test Bibtex_test.txt --out pred.txt --top-k 5', '') as unknown as Argv<PredictArgs>,
  handler: async (args) => {
    const { ranked } = await predictFromArgs(args, args['top-k'] ?? PREDICT_DEFAULTS.topK);
    await writeFileAtomic(args.out, formatRanked(ranked));
  },
};
