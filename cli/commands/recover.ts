import { promises as fs } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { type Csr, normalizeRowsL2, sliceRows } from '../../src/data/csr.js';
import { type Dataset } from '../../src/data/index.js';
import { UsageError, XmlcError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load.js';
import { SENSING_AE_DEFAULTS } from '../../src/sensing/ae_defaults.js';
import type { MeasurementMatrix } from '../../src/sensing/matrices.js';
import { type MeasurementDecoder, RECOVERY_METHODS, type RecoveryMethod, type RecoveryOptions, recoverRows, SUBGRADIENT_STEPS } from '../../src/sensing/recover.js';
import { type ProgressFn } from '../../src/progress.js';
import { applyBackend, type BackendArgs, type DataArgs, loadData, numericFlag, withBackendOption, withDataOptions } from '../common.js';
import type { NumericSpec } from '../../src/model/params.js';

const POSITIVE_INT: NumericSpec = Object.freeze({ int: true, min: 1 });
const POSITIVE: NumericSpec = Object.freeze({ int: false, min: 0, minOpen: true });
const SEED: NumericSpec = Object.freeze({ int: true });
import { note, stderrProgress } from '../progress.js';

const MATRIX_KINDS = ['gaussian', 'fourier', 'pca', 'lbcs', 'l1ae', 'simple-ae'] as const;
type MatrixKind = (typeof MATRIX_KINDS)[number];
const TRAINED: readonly MatrixKind[] = ['pca', 'lbcs', 'l1ae', 'simple-ae'];

interface RecoverArgs extends DataArgs, BackendArgs {
  matrix: string;
  decoder: RecoveryMethod;
  data: string;
  measurements?: number;
  train?: string;
  valid?: string;
  vectors: 'auto' | 'features' | 'labels';
  limit?: number;
  seed: number;
  json: boolean;
  sparsity?: number;
  'block-size'?: number;
  blocks?: number;
  lambda?: number;
  steps: number;
  epochs: number;
  'learning-rate': number;
  'batch-size': number;
  patience: number;
  depth: number;
  'select-by': 'recovery' | 'loss';
}

/** The vectors to measure: the feature rows, the label rows, or (auto) whichever the file has. */
function vectorsOf(ds: Dataset, which: RecoverArgs['vectors'], file: string): Csr {
  const part = which === 'auto' ? (ds.features.indices.length > 0 || ds.labels.nCols === 0 ? 'features' : 'labels') : which;
  const x = part === 'features' ? ds.features : ds.labels;
  if (x.nCols === 0) throw new XmlcError(`${file}: has no ${part} to recover (0 columns); try --vectors ${part === 'features' ? 'labels' : 'features'}`);
  return x;
}

/** Cross-option checks that yargs cannot express. @throws UsageError */
function checkArgs(a: RecoverArgs): void {
  const isKind = (MATRIX_KINDS as readonly string[]).includes(a.matrix);
  if (isKind && a.measurements === undefined) throw new UsageError(`--measurements M is required with --matrix ${a.matrix}. Example usage: xmlc recover --matrix ${a.matrix} --decoder ${a.decoder} --data test.txt --measurements 20${TRAINED.includes(a.matrix as MatrixKind) ? ' --train train.txt' : ''}`);
  if (isKind && TRAINED.includes(a.matrix as MatrixKind) && a.train === undefined) throw new UsageError(`--matrix ${a.matrix} is learned from training vectors: name them with --train FILE`);
  if (a.decoder === 'l1ae' && a.matrix !== 'l1ae' && isKind) throw new UsageError(`--decoder l1ae runs the ℓ1-AE's own decoder: it needs --matrix l1ae (or a model directory of an ℓ1-AE model)`);
  if (a.decoder.startsWith('model-cosamp') && (a['block-size'] === undefined || a.blocks === undefined)) {
    throw new UsageError(`--decoder ${a.decoder} needs the block-sparsity model: --block-size B --blocks K (synthetic1: 10 and 1; synthetic2: 5 and 2)`);
  }
  if (a.decoder === 'ista' && !(a.lambda !== undefined && a.lambda > 0)) throw new UsageError('--decoder ista needs a LASSO weight --lambda > 0');
}

/** The matrix named by --matrix (built, learned from --train, or read from a model directory). */
async function buildMatrix(a: RecoverArgs, d: number, onProgress: ProgressFn): Promise<{ matrix: MeasurementMatrix; decoder?: MeasurementDecoder }> {
  // Loaded here, not at start-up: the tensor library is needed by the commands that compute only.
  const { fourierMatrix, gaussianMatrix, lbcsMatrix, pcaMatrix } = await import('../../src/sensing/matrices.js');
  if (!(MATRIX_KINDS as readonly string[]).includes(a.matrix)) {
    const stat = await fs.stat(a.matrix).catch(() => null);
    if (!stat?.isDirectory()) throw new UsageError(`--matrix must be one of ${MATRIX_KINDS.join(', ')} or a model directory, but '${a.matrix}' is neither`);
    const { modelMeasurement } = await import('../../src/model/learned_matrix.js');
    const measured = modelMeasurement(await loadModel(a.matrix));
    if (!measured) throw new XmlcError(`${a.matrix}: this model has no measurement matrix (train one with --method l1ae, simple-ae, pca or gaussian)`);
    const { matrix } = measured;
    if (matrix.d !== d) throw new XmlcError(`${a.matrix}: its matrix measures vectors of dimension ${matrix.d} but ${a.data} has dimension ${d}`);
    if (a.measurements !== undefined && a.measurements !== matrix.m) throw new UsageError(`--measurements ${a.measurements} disagrees with the model's ${matrix.m} measurements (leave it out)`);
    return measured;
  }
  const kind = a.matrix as MatrixKind, m = a.measurements!;
  if (m > d) throw new UsageError(`--measurements ${m} is more than the dimension ${d} of the vectors in ${a.data}: compressed sensing takes m ≤ d measurements`);
  if (kind === 'gaussian') return { matrix: gaussianMatrix(m, d, a.seed) };
  if (kind === 'fourier') return { matrix: fourierMatrix(m, d, a.seed) };
  const train = vectorsOf(await loadData(a.train!, a, onProgress), a.vectors, a.train!);
  if (train.nCols !== d) throw new XmlcError(`${a.train}: its vectors have dimension ${train.nCols} but ${a.data}'s have ${d}`);
  if (kind === 'pca') return { matrix: pcaMatrix(train, m, a.seed) };
  if (kind === 'lbcs') return { matrix: lbcsMatrix(train, m, a.seed) };
  const valid = a.valid !== undefined ? vectorsOf(await loadData(a.valid, a, onProgress), a.vectors, a.valid) : undefined;
  if (valid && valid.nCols !== d) throw new XmlcError(`${a.valid}: its vectors have dimension ${valid.nCols} but ${a.data}'s have ${d}`);
  await applyBackend(a);
  const { learnMatrix, measurementDecoderOf } = await import('../../src/model/learned_matrix.js');
  const learned = await learnMatrix(kind, train, m, a.seed, {
    epochs: a.epochs, learningRate: a['learning-rate'], batchSize: a['batch-size'], patience: a.patience, depth: a.depth, selectBy: a['select-by'],
  }, valid, onProgress);
  note(a.quiet, `${kind}: best epoch ${learned.history.bestEpoch} of ${learned.history.epochsRun}`);
  const decoder = measurementDecoderOf(learned.encoder);
  return { matrix: learned.matrix, ...(decoder ? { decoder } : {}) };
}

export const recoverCommand: CommandModule<object, RecoverArgs> = {
  command: 'recover',
  describe: 'Compressed sensing: measure sparse vectors with a (learned) matrix and recover them; prints the fraction recovered exactly and the RMSE',
  builder: (y: Argv) => withBackendOption(withDataOptions(y))
    .option('matrix', { type: 'string', demandOption: true, describe: `measurement matrix: ${MATRIX_KINDS.join(' | ')} | MODEL_DIR (an xmlc model's encoder)` })
    .option('decoder', { choices: RECOVERY_METHODS, demandOption: true, describe: 'recovery algorithm' })
    .option('data', { type: 'string', demandOption: true, describe: 'vectors to measure and recover (BoW/LIBSVM file)' })
    .option(...numericFlag('measurements', POSITIVE_INT, { alias: 'm', describe: 'number of measurements m (rows of the matrix)' }))
    .option('train', { type: 'string', describe: 'training vectors for the learned matrices (pca, lbcs, l1ae, simple-ae)' })
    .option('valid', { type: 'string', describe: 'validation vectors choosing the autoencoders\' epoch (default: a held-out quarter of --train)' })
    .option('vectors', { choices: ['auto', 'features', 'labels'] as const, default: 'auto' as const, describe: 'which part of each row is the vector: auto takes the features when the file has any, else the labels (ℓ2-normalised, as in the paper)' })
    .option(...numericFlag('limit', POSITIVE_INT, { describe: 'recover only the first N points of --data' }))
    .option(...numericFlag('seed', SEED, { default: 0, describe: 'seed of the random matrices and of training' }))
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object {exactFraction, rmse, ...}' })
    .option(...numericFlag('sparsity', POSITIVE_INT, { alias: 'k', describe: 'iht, cosamp, omp: sparsity k (default: the largest nonzero count of a --train vector, else of a --data vector)', group: 'Recovery:' }))
    .option(...numericFlag('block-size', POSITIVE_INT, { describe: 'model-cosamp(-pos): block size B of the block-sparsity model', group: 'Recovery:' }))
    .option(...numericFlag('blocks', POSITIVE_INT, { describe: 'model-cosamp(-pos): number of nonzero blocks K', group: 'Recovery:' }))
    .option(...numericFlag('lambda', POSITIVE, { describe: 'ista: LASSO weight λ of ½‖Ax − y‖² + λ‖x‖₁', group: 'Recovery:' }))
    .option(...numericFlag('steps', POSITIVE_INT, { default: SUBGRADIENT_STEPS, describe: 'subgradient: projected subgradient steps', group: 'Recovery:' }))
    .option(...numericFlag('epochs', POSITIVE_INT, { default: SENSING_AE_DEFAULTS.epochs, describe: 'l1ae, simple-ae: maximum training epochs (early stopping on validation)', group: 'Learned matrices:' }))
    .option(...numericFlag('learning-rate', POSITIVE, { default: SENSING_AE_DEFAULTS.learningRate, describe: 'l1ae, simple-ae: Adam learning rate', group: 'Learned matrices:' }))
    .option(...numericFlag('batch-size', POSITIVE_INT, { default: SENSING_AE_DEFAULTS.batchSize, describe: 'l1ae, simple-ae: vectors per mini-batch', group: 'Learned matrices:' }))
    .option(...numericFlag('patience', POSITIVE_INT, { default: SENSING_AE_DEFAULTS.patience, describe: 'l1ae, simple-ae: epochs without a better validation loss before stopping', group: 'Learned matrices:' }))
    .option('select-by', { choices: ['recovery', 'loss'] as const, default: SENSING_AE_DEFAULTS.selectBy, describe: 'l1ae, simple-ae: choose the epoch by ℓ1-min pos exact recovery on validation vectors, or by the validation loss', group: 'Learned matrices:' })
    .option(...numericFlag('depth', POSITIVE_INT, { default: SENSING_AE_DEFAULTS.depth, describe: 'l1ae: unrolled blocks T', group: 'Learned matrices:' }))
    .example('$0 recover --matrix gaussian --decoder l1-min-pos --data syn1/test.txt --measurements 50', '')
    .example('$0 recover --matrix l1ae --decoder l1-min-pos --train syn1/train.txt --valid syn1/valid.txt --data syn1/test.txt -m 20 --json', '')
    .example('$0 recover --matrix gaussian --decoder model-cosamp-pos --block-size 10 --blocks 1 --data syn1/test.txt -m 30', '') as unknown as Argv<RecoverArgs>,
  handler: async (args) => {
    checkArgs(args);
    const onProgress = stderrProgress(args);
    const ds = await loadData(args.data, args, onProgress);
    let x = normalizeRowsL2(vectorsOf(ds, args.vectors, args.data));
    if (args.limit !== undefined) x = sliceRows(x, 0, Math.min(args.limit, x.nRows));
    const t0 = performance.now();
    const { matrix, decoder } = await buildMatrix(args, x.nCols, onProgress);
    const matrixSeconds = (performance.now() - t0) / 1000;
    let sparsity = args.sparsity;
    if (sparsity === undefined && ['iht', 'cosamp', 'omp'].includes(args.decoder)) {
      sparsity = maxRowNnz(args.train !== undefined ? vectorsOf(await loadData(args.train, args, onProgress), args.vectors, args.train) : x);
      note(args.quiet, `sparsity k = ${sparsity} (the largest nonzero count of a ${args.train !== undefined ? 'training' : 'data'} vector; set it with --sparsity)`);
    }
    const opts: RecoveryOptions = {
      onProgress, steps: args.steps,
      ...(sparsity !== undefined ? { sparsity } : {}),
      ...(args.lambda !== undefined ? { lambda: args.lambda } : {}),
      ...(args['block-size'] !== undefined && args.blocks !== undefined ? { model: { kind: 'block' as const, blockSize: args['block-size'], blocks: args.blocks } } : {}),
      ...(decoder ? { l1ae: decoder } : {}),
    };
    if (args.decoder === 'l1ae' && !decoder) throw new UsageError('--decoder l1ae needs an ℓ1-AE: --matrix l1ae or the directory of a model trained with --method l1ae');
    const t1 = performance.now();
    const stats = await recoverRows(args.decoder, matrix, x, opts);
    const recoverSeconds = (performance.now() - t1) / 1000;
    const result = {
      exactFraction: stats.exactFraction, rmse: stats.rmse, points: x.nRows, measurements: matrix.m, dimension: matrix.d,
      matrix: args.matrix, decoder: args.decoder, seed: args.seed, matrixSeconds, recoverSeconds,
    };
    if (args.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const exact = Math.round(stats.exactFraction * x.nRows);
      process.stdout.write(`exact recovery (‖x − x̂‖₂ ≤ 1e-10): ${exact} / ${x.nRows} points (${(100 * stats.exactFraction).toFixed(2)}%)\n`);
      process.stdout.write(`RMSE: ${stats.rmse.toExponential(3)}\n`);
      process.stdout.write(`matrix ${args.matrix} (${matrix.m} × ${matrix.d}, ${matrixSeconds.toFixed(2)} s), decoder ${args.decoder} (${recoverSeconds.toFixed(2)} s, ${(x.nRows / Math.max(recoverSeconds, 1e-9)).toFixed(0)} points/s)\n`);
    }
  },
};

function maxRowNnz(x: Csr): number {
  let k = 1;
  for (let r = 0; r < x.nRows; r++) k = Math.max(k, x.rowPtr[r + 1]! - x.rowPtr[r]!);
  return k;
}
