import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../src/errors.js';
import { KnnModel } from '../../src/model/knn_model.js';
import { KNN_DEFAULTS, knnTrainParams } from '../../src/model/params.js';
import { applyBackend, type BackendArgs, type DataArgs, loadData, orBundled, readParamsFile, withBackendOption, withDataOptions } from '../common.js';
import { stderrProgress } from '../progress.js';

/** Flags that set training parameters, and the parameter each one sets. */
const PARAM_FLAGS = Object.freeze({
  method: 'method',
  k: 'k',
  index: 'index',
  'hnsw-m': 'hnswM',
  'ef-construction': 'efConstruction',
  'ef-search': 'efSearch',
  seed: 'seed',
} as const);

export interface TrainFlags extends DataArgs, BackendArgs {
  train?: string;
  params?: string;
  method?: string;
  k?: number;
  index?: string;
  'hnsw-m'?: number;
  'ef-construction'?: number;
  'ef-search'?: number;
  seed?: number;
}

interface TrainArgs extends TrainFlags { model?: string; 'print-params': boolean }

/** Adds the training-parameter flags; their defaults come from the library's {@link KNN_DEFAULTS}. */
export function withTrainOptions<T>(y: Argv<T>): Argv<T & TrainFlags> {
  const d = KNN_DEFAULTS;
  return withBackendOption(withDataOptions(y))
    .option('train', { type: 'string', describe: 'training data file', defaultDescription: 'bundled Bibtex train split' })
    .option('params', { type: 'string', describe: 'JSON file of training parameters (flags override it)', group: 'Parameters:' })
    .option('method', { type: 'string', choices: ['knn'], describe: 'model to train', defaultDescription: d.method, group: 'Parameters:' })
    .option('k', { type: 'number', describe: 'neighbours that vote', defaultDescription: String(d.k), group: 'Parameters:' })
    .option('index', { type: 'string', choices: ['hnsw', 'exact'], describe: 'nearest-neighbour search: approximate HNSW or exact', defaultDescription: d.index, group: 'Parameters:' })
    .option('hnsw-m', { type: 'number', describe: 'HNSW graph degree M', defaultDescription: String(d.hnswM), group: 'Parameters:' })
    .option('ef-construction', { type: 'number', describe: 'HNSW build candidate list', defaultDescription: String(d.efConstruction), group: 'Parameters:' })
    .option('ef-search', { type: 'number', describe: 'HNSW search candidate list', defaultDescription: String(d.efSearch), group: 'Parameters:' })
    .option('seed', { type: 'number', describe: 'seed of every random choice', defaultDescription: String(d.seed), group: 'Parameters:' }) as Argv<T & TrainFlags>;
}

/** Parameters from `--params FILE` with the flags given on the command line over them. */
export async function trainParamsFromArgs(args: TrainFlags): Promise<Record<string, unknown>> {
  const params = await readParamsFile(args.params);
  for (const [flag, key] of Object.entries(PARAM_FLAGS)) {
    const v = (args as unknown as Record<string, unknown>)[flag];
    if (v !== undefined) params[key] = v;
  }
  return params;
}

/** Train a model as the flags say: shared by `train` and `run`. */
export async function trainFromArgs(args: TrainFlags): Promise<KnnModel> {
  const params = knnTrainParams(await trainParamsFromArgs(args));
  await applyBackend(args);
  const progress = stderrProgress(args.quiet);
  const data = await loadData(orBundled(args.train, 'train', args.quiet), args, progress);
  const t0 = performance.now();
  const model = await KnnModel.train(data, { ...params }, progress);
  progress({ status: 'done', task: 'train', seconds: (performance.now() - t0) / 1000 });
  return model;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a model and save it as a directory',
  builder: (y: Argv) => withTrainOptions(y)
    .option('model', { type: 'string', describe: 'output model directory (written atomically)' })
    .option('print-params', { type: 'boolean', default: false, describe: 'print the training parameters (defaults, --params file and flags merged) as JSON and exit' })
    .check((a) => {
      if (!a['print-params'] && a.model === undefined) throw new UsageError('Missing required argument: model\nExample usage: xmlc train --train train.txt --model out/');
      return true;
    })
    .example('$0 train --train Bibtex_train.txt --model models/bibtex --method knn --seed 1', '')
    .example('$0 train --print-params > params.json', '') as unknown as Argv<TrainArgs>,
  handler: async (args) => {
    if (args['print-params']) {
      process.stdout.write(JSON.stringify(knnTrainParams(await trainParamsFromArgs(args)), null, 2) + '\n');
      return;
    }
    const model = await trainFromArgs(args);
    const t0 = performance.now();
    await model.save(args.model!);
    stderrProgress(args.quiet)({ status: 'done', task: `save model to ${args.model}`, seconds: (performance.now() - t0) / 1000 });
  },
};
