/**
 * The registry of known benchmark datasets (napkinXC's `DATASETS` registry is the model):
 * official statistics, where the archive comes from and how its files are laid out, and the
 * published P@k to compare with. Statistics: the Extreme Classification Repository's dataset
 * table (Bhatia et al.; its address is each entry's `source`); archive layouts:
 * the repository's BoW archives (one `<prefix>_train.txt` / `<prefix>_test.txt` pair, or for the
 * small sets one `<Name>_data.txt` with `<prefix>_trSplit.txt` / `<prefix>_tstSplit.txt` holding
 * 1-based row numbers of ten random splits, one split per column — the first is the standard one).
 */
import { BUNDLED_BIBTEX } from '../src/data/bundled.js';
import { SYNTHETIC_DATASETS } from './synthetic.js';

/**
 * How the wanted files sit in the archive (matched by base name, case-insensitive, anywhere in it).
 * @inline
 */
export type ArchiveLayout =
  | {
    /** One training and one test file. */
    readonly kind: 'train-test';
    /** Base name of the training file. */
    readonly train: string;
    /** Base name of the test file. */
    readonly test: string;
  }
  | {
    /** One data file plus split files listing 1-based row numbers, one split per column. */
    readonly kind: 'data-splits';
    /** Base name of the data file. */
    readonly data: string;
    /** Base name of the file of training row numbers. */
    readonly trainSplit: string;
    /** Base name of the file of test row numbers. */
    readonly testSplit: string;
    /** 0-based column of the split used. */
    readonly column: number;
  };

/**
 * Official shape of a dataset's standard split.
 * @inline
 */
export interface DatasetStats {
  /** Training points. */
  readonly train: number;
  /** Test points. */
  readonly test: number;
  /** Feature dimension. */
  readonly features: number;
  /** Label dimension. */
  readonly labels: number;
  /** Average labels per point (over train and test, as the repository reports it). */
  readonly labelsPerPoint: number;
  /** Average points per label. */
  readonly pointsPerLabel: number;
}

/** One known real dataset. */
export interface DatasetInfo {
  /** Registry name (e.g. `'Bibtex'`); also the folder name under the data directory. */
  readonly name: string;
  /** One line on what the points and labels are. */
  readonly description: string;
  /** Where the archive can be downloaded (a user may also pass a downloaded archive). */
  readonly url: string;
  /** Human page describing the source. */
  readonly source: string;
  /** How the split files sit in the archive. */
  readonly layout: ArchiveLayout;
  /** Official counts of the standard split, checked by {@link verifyDataset}. */
  readonly stats: DatasetStats;
  /** Propensity-model constants (Jain et al., KDD 2016): A, B. */
  readonly propensity: {
    /** A of the propensity model. */
    readonly a: number;
    /** B of the propensity model. */
    readonly b: number;
  };
  /**
   * Published P@1/3/5 (%) by method: the Extreme Classification Repository's table and the ℓ1-AE
   * paper (Wu et al., ICML 2019); empty when none are published.
   */
  readonly published: Readonly<Record<string, readonly number[]>>;
  /** The splits shipped with xmlc (src/data/bundled.ts), used when the data directory has none. */
  readonly bundled?: {
    /** Path of the bundled training split. */
    readonly train: string;
    /** Path of the bundled test split. */
    readonly test: string;
  };
}

const REPO = 'http://manikvarma.org/downloads/XC/XMLRepository.html';
/** Google Drive file ids of the repository's archives, fetched through the direct-download host. */
const drive = (id: string): string => `https://drive.usercontent.google.com/download?id=${id}&export=download&confirm=t`;

const ENTRIES: readonly DatasetInfo[] = [
  {
    name: 'EURLex-4K', description: 'EU legal documents (BoW, 5,000 features) tagged with EUROVOC descriptors', source: REPO,
    url: drive('0B3lPMIHmG6vGU0VTR1pCejFpWjg'), layout: { kind: 'train-test', train: 'eurlex_train.txt', test: 'eurlex_test.txt' },
    stats: { train: 15539, test: 3809, features: 5000, labels: 3993, labelsPerPoint: 5.31, pointsPerLabel: 25.73 },
    propensity: { a: 0.55, b: 1.5 },
    published: { SLEEC: [79.26, 64.30, 52.33], Parabel: [81.73, 68.78, 57.44], DiSMEC: [82.40, 68.50, 57.70], 'ℓ1-AE (paper, average, 1 model)': [80.62], 'ℓ1-AE (paper, 5 models)': [81.36] },
  },
  {
    name: 'Wiki10-31K', description: 'Wikipedia articles (BoW, 101,938 features) tagged with social bookmarking tags', source: REPO,
    url: drive('0B3lPMIHmG6vGaDdOeGliWF9EOTA'), layout: { kind: 'train-test', train: 'wiki10_train.txt', test: 'wiki10_test.txt' },
    stats: { train: 14146, test: 6616, features: 101938, labels: 30938, labelsPerPoint: 18.64, pointsPerLabel: 8.52 },
    propensity: { a: 0.5, b: 0.4 },
    published: { SLEEC: [85.88, 72.98, 62.70], Parabel: [84.17, 72.46, 63.37], 'ℓ1-AE (paper, average, 1 model)': [86.17] },
  },
  {
    name: 'Bibtex', description: 'BibTeX entries (1,836 binary word features) with their tags (Katakis et al. 2008)', source: REPO,
    url: drive('0B3lPMIHmG6vGcy1xM2pJZ09MMGM'), layout: { kind: 'data-splits', data: 'Bibtex_data.txt', trainSplit: 'bibtex_trSplit.txt', testSplit: 'bibtex_tstSplit.txt', column: 0 },
    stats: { train: 4880, test: 2515, features: 1836, labels: 159, labelsPerPoint: 2.40, pointsPerLabel: 111.71 },
    propensity: { a: 0.55, b: 1.5 },
    published: { SLEEC: [65.08, 39.64, 28.87], PfastreXML: [63.46, 39.22, 29.14], FastXML: [63.42, 39.23, 28.86], Parabel: [64.53, 38.56, 27.94], '1-vs-All': [62.62, 39.09, 28.79], kNN: [57.04, 34.38, 25.44] },
    bundled: BUNDLED_BIBTEX,
  },
  {
    name: 'Delicious', description: 'del.icio.us web pages (500 features) with their tags (Tsoumakas et al. 2008)', source: REPO,
    url: drive('0B3lPMIHmG6vGdG1jZ19VS2NWRVU'), layout: { kind: 'data-splits', data: 'Delicious_data.txt', trainSplit: 'delicious_trSplit.txt', testSplit: 'delicious_tstSplit.txt', column: 0 },
    stats: { train: 12920, test: 3185, features: 500, labels: 983, labelsPerPoint: 19.03, pointsPerLabel: 311.61 },
    propensity: { a: 0.55, b: 1.5 },
    published: { SLEEC: [67.59, 61.38, 56.56], FastXML: [69.61, 64.12, 59.27], PfastreXML: [67.13, 62.33, 58.62], Parabel: [67.44, 61.83, 56.75], kNN: [64.95, 58.89, 54.11] },
  },
  {
    name: 'Mediamill', description: 'video frames (120 dense visual features) with semantic concepts (Snoek et al. 2006)', source: REPO,
    url: drive('0B3lPMIHmG6vGY3B4TXRmZnZBTkk'), layout: { kind: 'data-splits', data: 'Mediamill_data.txt', trainSplit: 'mediamill_trSplit.txt', testSplit: 'mediamill_tstSplit.txt', column: 0 },
    stats: { train: 30993, test: 12914, features: 120, labels: 101, labelsPerPoint: 4.38, pointsPerLabel: 1902.15 },
    propensity: { a: 0.55, b: 1.5 },
    published: {},
  },
  {
    name: 'AmazonCat-13K', description: 'Amazon products (BoW, 203,882 features) with their categories (McAuley & Leskovec 2013)', source: REPO,
    url: drive('0B3lPMIHmG6vGa2tMbVJGdDNSMGc'), layout: { kind: 'train-test', train: 'amazonCat_train.txt', test: 'amazonCat_test.txt' },
    stats: { train: 1186239, test: 306782, features: 203882, labels: 13330, labelsPerPoint: 5.04, pointsPerLabel: 448.57 },
    propensity: { a: 0.6, b: 2.6 },
    published: {},
  },
];

/** Known real datasets by name. */
export const DATASETS: Readonly<Record<string, DatasetInfo>> = Object.freeze(Object.fromEntries(ENTRIES.map((d) => [d.name, Object.freeze(d)])));

/** The registry entry of `name` (case-insensitive), or undefined. */
export function findDataset(name: string): DatasetInfo | undefined {
  const key = name.toLowerCase();
  return ENTRIES.find((d) => d.name.toLowerCase() === key);
}

/** Bytes of one value in the bound below: `-1.23456789e-05` is 15; the repository writes 6–9. */
const VALUE_BYTES = 16;
/** Split files hold ten columns of row numbers (one per random split). */
const SPLIT_COLUMNS = 10;

/** Decimal digits of the largest id below `n` (at least 1). */
const idDigits = (n: number): number => String(Math.max(0, n - 1)).length;

/**
 * Upper bounds on the uncompressed size, in bytes, of each file `info`'s archive must
 * provide (keyed by the layout's file names), for checking entries while they are unpacked
 * (see datasets/zip.ts). The repository publishes no file sizes, so they are derived from
 * its official counts (n points of D features and L labels, ℓ labels per point on average):
 * - a data file: a header line (64 bytes) and per point a line end (2 bytes, CRLF), its
 *   labels (the file holds n·ℓ label ids in all — 1% more for the repository's rounding of ℓ
 *   — each of at most digits(L − 1) digits and a separator), and at most D feature tokens
 *   `id:value ` of at most digits(D − 1) + 1 + 16 + 1 bytes. That is the fully dense worst
 *   case, so never below a real file: Bibtex's real files are ~35× smaller than the bound, and
 *   for the large sparse sets the bound is loose; there the compression-ratio limit of the
 *   extraction is what stops a bomb;
 * - a split file of n rows: ten columns of row numbers of at most digits(points) digits and
 *   up to 6 bytes of separators each.
 */
export function maxFileBytes(info: DatasetInfo): Readonly<Record<string, number>> {
  const s = info.stats;
  const dataBytes = (n: number): number => 64 + n * (2 + s.features * (idDigits(s.features) + 2 + VALUE_BYTES)) +
    Math.ceil(n * s.labelsPerPoint * 1.01) * (idDigits(s.labels) + 1);
  const all = s.train + s.test;
  const splitBytes = (n: number): number => n * SPLIT_COLUMNS * (String(all).length + 6);
  const l = info.layout;
  return l.kind === 'train-test'
    ? { [l.train]: dataBytes(s.train), [l.test]: dataBytes(s.test) }
    : { [l.data]: dataBytes(all), [l.trainSplit]: splitBytes(s.train), [l.testSplit]: splitBytes(s.test) };
}

/** Names of the seeded synthetic generators (`xmlc data synth NAME`), listed beside the real sets. */
export function syntheticNames(): string[] {
  return Object.keys(SYNTHETIC_DATASETS);
}
