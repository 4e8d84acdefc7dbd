/**
 * Issue 18's accuracy table: the default model (`trainModel(data)` with no parameters: the mixed
 * ensemble of one ℓ1-AE model and the label-clustering forest, merge rule chosen on held-out
 * training points, the linear re-ranker kept when the same held-out points give it a weight) on
 * every real set, against its ingredients and the baselines:
 *
 * - its parts alone (the same trained parts, each part's own ranking) and both merge rules, i.e.
 *   the default without its re-ranker; its re-ranker's classifiers alone, when it kept them;
 * - the kNN baseline (`method: 'knn'`, its defaults);
 * - one-vs-rest ℓ2 logistic regression alone (dual CD, bias 1, weights < 0.01 pruned; C ∈ {1, 10, 100}
 *   chosen on a seeded held-out 10% of the training points, then refitted on all).
 *
 *   node dist/eval/accuracy.js [--datasets Bibtex,Delicious,Corel5k,Enron,Medical,Yeast,RCV1-sub2,Debtags]
 *        [--out accuracy] [--keep OLD.json] [--lambda auto]
 *
 * Sets: registry names (their propensity constants), any DIR/NAME/NAME_{train,test}.txt of the data
 * directory (A = 0.55, B = 1.5), RCV1-sub2 (one file, split here: a seeded 25% test), Debtags (JSONL
 * text: TF-IDF features with the vectoriser's defaults, fitted on the training texts; train seconds
 * exclude the vectoriser). Nothing reads a test split before its model is trained. Writes
 * eval/results/OUT.json and OUT.md after every set.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeRowsL2 } from '../src/data/csr.js';
import { evaluateAgainstTraining } from '../src/metrics/index.js';
import { EmbeddingModel } from '../src/model/embed_model.js';
import { DEFAULT_MIX, trainModel } from '../src/model/methods.js';
import { type Model, type TrainOptions } from '../src/model/model.js';
import { MERGE_RULES, mergeRankings, MixedModel } from '../src/model/mixed_model.js';
import { RerankedModel, rerankNote } from '../src/model/reranked_model.js';
import { predictTopK } from '../src/linear/ovr.js';
import { weightFeatures, WeightedModel } from '../src/model/weighted_model.js';
import { type Ranked } from '../src/ranking/topk.js';
import { dirMb, opt, root, timed } from './args.js';
import { ovrAlone, pairedLead } from './compare.js';
import { load } from './sets.js';

interface Row {
  dataset: string; ranking: string; p1: number; p3: number; p5: number; psp1: number; psp3: number; psp5: number;
  trainSeconds?: number; modelMb?: number; notes: string;
}

const log = (s: string): void => { process.stderr.write(s + '\n'); };

async function sizeMb(model: Model): Promise<number> {
  const dir = path.join(os.tmpdir(), `xmlc-accuracy-${process.pid}-${Date.now()}`);
  await model.save(dir);
  const mb = await dirMb(dir);
  await fs.rm(dir, { recursive: true, force: true });
  return mb;
}

/** `--lambda auto`: the default model with the ℓ1-AE's ridge penalty chosen on held-out points (else its default, 1). */
const lambdaAuto = opt('lambda', '1') === 'auto';

async function main(): Promise<void> {
  const names = opt('datasets', 'Bibtex,Delicious,Corel5k,Enron,Medical,Yeast,RCV1-sub2,Debtags').split(',').filter(Boolean);
  const out = path.join(root, 'eval', 'results', opt('out', 'accuracy'));
  const rows: Row[] = [];
  const notes: Record<string, string> = {};
  // --keep FILE.json: rows (and data notes) of sets not run now, from an earlier run's JSON.
  const keep = opt('keep', '');
  if (keep) {
    const old = JSON.parse(await fs.readFile(keep, 'utf8')) as { rows: Row[]; notes: Record<string, string> };
    for (const r of old.rows) if (!names.includes(r.dataset)) rows.push(r);
    for (const [k, v] of Object.entries(old.notes)) if (!names.includes(k)) notes[k] = v;
  }
  for (const name of names) {
    log(`== ${name}`);
    const d = await load(name);
    notes[name] = d.note;
    const score = (r: Ranked): Pick<Row, 'p1' | 'p3' | 'p5' | 'psp1' | 'psp3' | 'psp5'> => {
      const m = evaluateAgainstTraining(r, d.test.labels, d.train.labels, { ks: [1, 3, 5], metrics: ['P', 'PSP'], a: d.a, b: d.b }) as Record<string, number>;
      const pct = (k: string): number => Math.round(10000 * m[k]!) / 100;
      return { p1: pct('P@1'), p3: pct('P@3'), p5: pct('P@5'), psp1: pct('PSP@1'), psp3: pct('PSP@3'), psp5: pct('PSP@5') };
    };
    const add = (row: Row): void => { rows.push(row); log(JSON.stringify(row)); };
    // The default model, and from the same trained parts: each part alone and each merge rule.
    // Text rows are the vectoriser's TF-IDF: the default model takes them as they are (as TextModel does).
    const def = await timed(() => trainModel(d.train, { ...(name === 'Debtags' ? { features: 'raw' } : {}), ...(lambdaAuto ? { lambda: 'auto' } : {}) } as TrainOptions));
    // The default model: the feature weighting (chosen on held-out points) around the re-ranker, when kept, around the mixed ensemble.
    const weighted = def.value instanceof WeightedModel ? def.value : undefined;
    const inner = weighted ? weighted.model : def.value;
    const reranked = inner instanceof RerankedModel ? inner : undefined;
    const mixed = (reranked ? reranked.model : inner) as MixedModel;
    const testX = weighted ? weightFeatures(d.test.features, weighted.weighting, weighted.idf, weighted.unseenIdf) : d.test.features;
    const pct = (v: number | undefined): string => (v === undefined ? '–' : (100 * v).toFixed(2));
    const choice = [
      weighted?.choice ? `features ${weighted.weighting} (held-out ${Object.entries(weighted.choice.scores).map(([w, v]) => `${w} ${pct(v)}`).join(', ')})` : 'features raw (text, or one candidate)',
      ...mixed.members.flatMap((m) => (m instanceof EmbeddingModel ? [`${m.method} ridge λ ${m.lambdas.join(', ')}`] : [])),
      `merge ${mixed.merge}${mixed.mergeChoice ? ` (held-out ${MERGE_RULES.map((r) => `${r} ${pct(mixed.mergeChoice!.scores[r])}`).join(', ')})` : ''}`,
      reranked?.choice ? rerankNote(reranked.choice) : mixed.heldOutNotes.find((n) => n.startsWith('re-ranker')) ?? 're-ranker: none (no held-out split)',
    ].join('; ');
    const defRanked = await def.value.predict(d.test, { topK: 5 });
    add({ dataset: name, ranking: `**default** (${DEFAULT_MIX}${reranked ? ' + re-ranker' : ''})`, ...score(defRanked), trainSeconds: def.seconds, modelMb: await sizeMb(def.value), notes: choice });
    const lead = (other: Ranked): string => `default − this (paired, ± SE): ${pairedLead(defRanked, other, d.test.labels)}`;
    const rankings: Ranked[] = [];
    for (const m of mixed.members) rankings.push(await m.predict(testX, { topK: 100 }));
    mixed.members.forEach((m, i) => add({ dataset: name, ranking: `its ${m.method} part alone`, ...score({ ...rankings[i]!, ...top5(rankings[i]!) }), notes: 'the same trained part' }));
    for (const rule of MERGE_RULES) add({ dataset: name, ranking: `its parts, merge ${rule}`, ...score(mergeRankings(rankings, [0.5, 0.5], rule, mixed.nLabels, 5)), notes: `the same trained parts${rule === mixed.merge ? ': the default without its re-ranker (--no-rerank)' : ''}` });
    if (reranked) add({ dataset: name, ranking: 'its re-ranker\'s classifiers alone', ...score(predictTopK(reranked.ovr, normalizeRowsL2(testX), 5)), notes: `the same trained classifiers (C = ${reranked.ovr.c}, weights ${(reranked.ovr.weights.indices.length * 8 / 1e6).toFixed(1)} MB)` });
    def.value.dispose();
    const knn = await timed(() => trainModel(d.train, { method: 'knn' }));
    const knnRanked = await knn.value.predict(d.test, { topK: 5 });
    add({ dataset: name, ranking: 'kNN baseline (k = 15)', ...score(knnRanked), trainSeconds: knn.seconds, modelMb: await sizeMb(knn.value), notes: lead(knnRanked) });
    knn.value.dispose();
    const ovr = await timed(() => ovrAlone(d.train));
    const ovrRanked = ovr.value.ranked(d.test.features);
    add({ dataset: name, ranking: 'one-vs-rest logistic regression alone', ...score(ovrRanked), trainSeconds: ovr.seconds, notes: `C = ${ovr.value.c} (held-out mean P@1,3,5 for C = 1, 10, 100: ${ovr.value.scores.map((v) => (100 * v).toFixed(2)).join(', ')}); ${lead(ovrRanked)}` });
    await write(out, rows, notes, names, keep);
  }
}

/** The first 5 of a ranking. */
function top5(r: Ranked): Pick<Ranked, 'k' | 'labels' | 'scores'> {
  const k = Math.min(5, r.k), labels = new Int32Array(r.nRows * k), scores = new Float32Array(r.nRows * k);
  for (let i = 0; i < r.nRows; i++) for (let j = 0; j < k; j++) { labels[i * k + j] = r.labels[i * r.k + j]!; scores[i * k + j] = r.scores[i * r.k + j]!; }
  return { k, labels, scores };
}

async function write(out: string, rows: Row[], notes: Record<string, string>, names: string[], keep: string): Promise<void> {
  const f = (v: number | undefined, digits = 1): string => (v === undefined ? '' : v.toFixed(digits));
  const md = [
    '# Accuracy: the default model, its ingredients and the baselines (eval/accuracy.ts)',
    '',
    `The default model is \`trainModel(data)\` / \`xmlc train\` with no parameters: the mixed ensemble ${DEFAULT_MIX} (one ℓ1-AE model and the`,
    'label-clustering forest), the feature weighting and the merge rule each chosen on a held-out 10% of the training points (text:',
    'the vectoriser\'s TF-IDF rows as they are), and the linear re-ranker (one-vs-rest logistic classifiers re-scoring the top 100)',
    'kept when the merge rule\'s held-out points give it a weight (α < 1; α and C ∈ {1, 10, 100} chosen there, the choice cross-validated over five folds of them). "Its … part alone",',
    '"merge …" and "classifiers alone" rows rank with the same trained parts. The one-vs-rest baseline chooses C ∈ {1, 10, 100} on a held-out 10% of the training points.',
    lambdaAuto ? 'This run gives the default model `lambda: \'auto\'` (`--lambda auto`): the ℓ1-AE part\'s ridge penalty chosen on held-out points too. The baselines\' notes give the default\'s lead' : 'The baselines\' notes give the default\'s lead',
    'over them on the same test points: the mean per-point difference of P@k ± its standard error.',
    'No test split is read before its model is trained. P and PSP in %.',
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; OPENBLAS_CORETYPE ${process.env['OPENBLAS_CORETYPE'] ?? 'unset'}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| set | ranking | P@1 | P@3 | P@5 | PSP@1 | PSP@3 | PSP@5 | train s | model MB | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.dataset} | ${r.ranking} | ${r.p1} | ${r.p3} | ${r.p5} | ${r.psp1} | ${r.psp3} | ${r.psp5} | ${f(r.trainSeconds)} | ${f(r.modelMb)} | ${r.notes} |`),
    '',
    'Data: ' + Object.entries(notes).map(([k, v]) => `${k}: ${v}`).join('; ') + '.',
    '',
    `Command: \`env -u OPENBLAS_CORETYPE node dist/eval/accuracy.js --datasets ${names.join(',')}${lambdaAuto ? ' --lambda auto --out accuracy_lambda_auto' : ''}\`${keep ? ` (the rows of ${[...new Set(rows.map((r) => r.dataset))].filter((d) => !names.includes(d)).join(', ')} kept from an earlier run of the same code for them, --keep)` : ''}.`,
    '',
  ].join('\n');
  await fs.writeFile(out + '.json', JSON.stringify({ date: new Date().toISOString(), rows, notes }, null, 2) + '\n');
  await fs.writeFile(out + '.md', md);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
