import type { Argv, CommandModule } from 'yargs';
import type { ModelSummary } from '../../src/model/model.js';
import { numericFlag, THREADS_SPEC } from '../common.js';

interface InfoArgs { json: boolean; threads?: number; model?: string }

export const infoCommand: CommandModule<object, InfoArgs> = {
  command: 'info',
  describe: 'Show which compute backends load here, which one `--backend auto` picks, the native addon\'s BLAS and OpenMP threads, whether the HNSW index (hnswlib-node) is available, and whether the ℓ1-AE decoder can use bfloat16 products (AVX512-BF16)',
  builder: (y: Argv) => y
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: {"backends": {name: true|false}, "auto": name, "threads": {"blas": n, "openmp": n} (without the addon: null), "hnswlib": true|false, "bfloat16Decoder": true|false}' })
    .option(...numericFlag('threads', THREADS_SPEC, { describe: 'set the compute threads first (as every computing command does), to see them take effect', defaultDescription: 'all cores, or $OMP_NUM_THREADS / $OPENBLAS_NUM_THREADS' }))
    .option('model', { type: 'string', requiresArg: true, describe: 'describe this saved model instead (method, dimensions, index, k, ensemble, strategy, backend, every parameter); with --json as one object' })
    .example('$0 info --json', '')
    .example('$0 info --model models/bibtex', 'what a saved model is and how it predicts')
    .example('$0 info --threads 1', 'the addon reports 1 BLAS thread and 1 OpenMP thread') as unknown as Argv<InfoArgs>,
  handler: async (args) => {
    if (args.model !== undefined) return describeModel(args.model, args.json);
    const { backendReport } = await import('../../src/engine/backends.js');
    const { nativeAddon } = await import('../../src/engine/addon.js');
    const { setThreads, threadReport } = await import('../../src/engine/threads.js');
    const threads = (args.threads !== undefined ? setThreads(args.threads) : threadReport()) ?? null;
    const { hnswStatus } = await import('../../src/knn/hnsw.js');
    const report = await backendReport();
    const hnsw = hnswStatus();
    // The decoder's bfloat16 kernel is compiled where the build targets AVX512-BF16 (src/engine/native/l1ae_bf16.cc).
    const bf16 = typeof nativeAddon().addon?.l1aeDecodeRowsBf16 === 'function';
    if (args.json) {
      const backends = Object.fromEntries(Object.entries(report.backends).map(([k, v]) => [k, v.ok]));
      process.stdout.write(JSON.stringify({ backends, auto: report.auto, threads, hnswlib: hnsw.ok, bfloat16Decoder: bf16 }) + '\n');
      return;
    }
    for (const [name, s] of Object.entries(report.backends)) {
      process.stdout.write(`${name.padEnd(12)}${s.ok ? 'available' : `unavailable: ${s.reason}`}\n`);
    }
    process.stdout.write(`auto picks: ${report.auto}\n`);
    process.stdout.write(`hnswlib-node: ${hnsw.ok ? 'available (kNN over features defaults to HNSW; over embeddings, exact search up to 4·10⁶ entries)' : `unavailable: ${hnsw.reason} (kNN uses exact search; --index hnsw is an error)`}\n`);
    process.stdout.write(`decoder products: ${bf16 ? 'bfloat16 by default (AVX512-BF16; --decoder-precision float32 for float32)' : 'float32 (no AVX512-BF16 kernel in this build)'}\n`);
    const { addon } = nativeAddon();
    if (addon) {
      const i = addon.info();
      process.stdout.write(`native addon: ${i.blas.trim()} (core ${i.blasCore}), ${i.blasThreads} BLAS threads, ${i.ompThreads} OpenMP threads\n`);
    }
  },
};

/** Print a saved model's {@link ModelSummary}: one `key value` line each (the parameters of its method as JSON), or one JSON object. */
async function describeModel(dir: string, json: boolean): Promise<void> {
  const { loadModel } = await import('../../src/model/load.js');
  const model = await loadModel(dir);
  try {
    const s: ModelSummary = model.describe();
    if (json) {
      process.stdout.write(JSON.stringify(s) + '\n');
      return;
    }
    const { paramsToPrint } = await import('./train.js');
    for (const [key, value] of Object.entries({ ...s, params: paramsToPrint(s.params) })) process.stdout.write(`${key.padEnd(14)}${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
  } finally {
    model.dispose();
  }
}
