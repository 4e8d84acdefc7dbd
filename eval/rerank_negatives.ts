/**
 * The re-ranker's classifiers trained on every point (`negatives: 'all'`, plain one-vs-rest) or on shortlists
 * (`negatives: 'shortlist'`: each label on its positives and the training points whose top-S holds it), on real sets:
 * what the cheaper training costs in precision, and what it saves in time.
 *
 * Per set, the default model without its re-ranker (`rerank: false`) is trained once on a seeded 90% of the training
 * points and once on all of them (as the re-ranker's own held-out choice does, `RerankedModel.chooseOnSplit`); then for
 * each setting the held-out choice of α and C (`chooseRerank`, timed: three classifier fits on 90%) and the final
 * classifiers on all training points (`RerankedModel.around`, timed) — the rest is shared, so the two settings see the
 * same shortlists. Test P@1/3/5 of: the re-ranked shortlist at the held-out best α (even where the default would not keep
 * it, to compare the classifiers), and the classifiers alone over the shortlist (α = 0). The test split is read only to score.
 *
 *   node dist/eval/rerank_negatives.js [--datasets Bibtex,Corel5k,Delicious] [--out rerank_negatives]
 *
 * Sets as eval/accuracy.ts (eval/sets.ts). Writes eval/results/OUT.json and OUT.md (rows added as sets finish).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { trainModel } from '../src/model/methods.js';
import { chooseRerank, RerankedModel, rerankNote, rerankParams, type RerankParams } from '../src/model/reranked_model.js';
import { splitData } from '../src/model/training_data.js';
import { type Ranked } from '../src/ranking/topk.js';
import { splitRows } from '../src/util/split.js';
import { opt, root, runMain, timed, writeResults } from './args.js';
import { load } from './sets.js';

interface Row {
  dataset: string; nLabels: number; negatives: string; chooseSeconds: number; fitSeconds: number; weightsMb: number;
  alpha: number; c: number; kept: boolean; note: string;
  reranked: [number, number, number]; classifiers: [number, number, number]; model: [number, number, number];
}

const log = (s: string): void => { process.stderr.write(s + '\n'); };

async function main(): Promise<void> {
  const names = opt('datasets', 'Bibtex,Corel5k,Delicious').split(',').filter(Boolean);
  const out = path.join(root, 'eval', 'results', opt('out', 'rerank_negatives'));
  const rows: Row[] = [];
  const seed = 0;
  for (const name of names) {
    const d = await load(name);
    const L = d.train.labels.nCols;
    const base = rerankParams({});
    // The re-ranker's own held-out split (as RerankedModel.chooseOnSplit), the default model without re-ranker trained on it.
    const { train: fitRows, valid } = splitRows(d.train.features.nRows, base.validationFraction, seed ^ 0x5bd1e995);
    const { fit, held } = splitData(d.train, fitRows, valid);
    log(`${name}: the default model on ${fitRows.length} points`);
    const onFit = await trainModel(fit, { rerank: false, seed });
    const ranked = await onFit.predict(held.features, { topK: base.shortlist });
    // The 90% points' own shortlists: needed by `shortlist` only, so timed and added to its choice seconds.
    const fitShortlists = await timed(() => onFit.predict(fit.features, { topK: base.shortlist }));
    const fitRanked = fitShortlists.value;
    onFit.dispose();
    log(`${name}: the default model on all ${d.train.features.nRows} points`);
    const model = await trainModel(d.train, { rerank: false, seed });
    const score = (r: Ranked): [number, number, number] => {
      const m = evaluateAgainstTraining(r, d.test.labels, d.train.labels, { ks: [1, 3, 5], metrics: ['P'] }) as Record<string, number>;
      return [1, 3, 5].map((k) => Math.round(10000 * m[`P@${k}`]!) / 100) as [number, number, number];
    };
    const own = score(await model.predict(d.test, { topK: 5 }));
    for (const negatives of ['all', 'shortlist'] as const) {
      const p: RerankParams = rerankParams({ negatives });
      log(`${name}: negatives ${negatives}: the held-out choice`);
      const choose = await timed(() => chooseRerank(d.train, fitRows, valid, ranked, p, seed, undefined, fitRanked));
      const choice = choose.value, alpha = choice.bestAlpha ?? choice.alpha;
      log(`${name}: negatives ${negatives}: the classifiers on every training point (C = ${choice.c})`);
      const fitted = await timed(() => RerankedModel.around(model, d.train, p, alpha, choice.c, choice, seed));
      const rr = fitted.value;
      const classifiersOnly = new RerankedModel(model, rr.ovr, p, 0);
      rows.push({
        dataset: name, nLabels: L, negatives, chooseSeconds: choose.seconds + (negatives === 'shortlist' ? fitShortlists.seconds : 0), fitSeconds: fitted.seconds,
        weightsMb: Math.round((rr.ovr.weights.values.byteLength + rr.ovr.weights.indices.byteLength) / 1e5) / 10,
        alpha, c: choice.c, kept: choice.alpha < 1, note: rerankNote(choice),
        reranked: score(await rr.predict(d.test, { topK: 5 })), classifiers: score(await classifiersOnly.predict(d.test, { topK: 5 })), model: own,
      });
      log(JSON.stringify(rows.at(-1)));
    }
    model.dispose();
    const f = (v: number[]): string => v.map((x) => x.toFixed(2)).join(' / ');
    const md = [
      '# The re-ranker\'s classifiers on every point or on shortlists (eval/rerank_negatives.ts)',
      '',
      'Per set: the default model without its re-ranker, trained once on the re-ranker\'s seeded 90% and once on all training points;',
      'then for each `negatives` setting the held-out choice of α and C (three classifier fits on 90%) and the final classifiers, timed',
      '(for `shortlist` with the model\'s prediction of the training points\' top 100 they are trained on). P@1 / P@3 / P@5 on the test split of the re-ranked top 100 at the held-out best α (shown even where the default would',
      'not keep the re-ranker, to compare the classifiers) and of the classifiers alone over that shortlist (α = 0). `all`: every',
      'training point is a negative of every label (plain one-vs-rest); `shortlist`: a label\'s positives and the training points',
      'whose top 100 holds it. The default (`auto`) uses `shortlist` when L > 10 × 100.',
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; OPENBLAS_CORETYPE ${process.env['OPENBLAS_CORETYPE'] ?? 'unset'}; ${new Date().toISOString().slice(0, 10)}.`,
      '',
      '| set | L | negatives | choice s | final fit s | weights MB | α, C (held-out) | re-ranked P@1/3/5 | classifiers over the shortlist | model alone |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.dataset} | ${r.nLabels} | ${r.negatives} | ${r.chooseSeconds.toFixed(1)} | ${r.fitSeconds.toFixed(1)} | ${r.weightsMb} | α ${r.alpha}, C ${r.c}${r.kept ? '' : ' (not kept by the default)'} | ${f(r.reranked)} | ${f(r.classifiers)} | ${f(r.model)} |`),
      '',
      'Held-out notes:',
      '',
      ...rows.map((r) => `- ${r.dataset}, ${r.negatives}: ${r.note}`),
      '',
      `Command: \`env -u OPENBLAS_CORETYPE node dist/eval/rerank_negatives.js --datasets ${names.join(',')}\`.`,
      '',
    ].join('\n');
    await writeResults(out, { date: new Date().toISOString(), rows }, md);
  }
}

runMain(main);
