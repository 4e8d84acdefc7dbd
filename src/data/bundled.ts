import { fileURLToPath } from 'node:url';

/**
 * The Bibtex dataset (Katakis et al. 2008; Extreme Classification Repository split: 4880 train /
 * 2515 test points, 1836 features, 159 labels), shipped gzip-compressed in the package's
 * datasets/ folder as the default data of the CLI's main job.
 */
export const BUNDLED_BIBTEX = Object.freeze({
  /** Absolute path of the training split (gzip-compressed BoW). */
  train: fileURLToPath(new URL('../../../datasets/bibtex/Bibtex_train.txt.gz', import.meta.url)),
  /** Absolute path of the test split (gzip-compressed BoW). */
  test: fileURLToPath(new URL('../../../datasets/bibtex/Bibtex_test.txt.gz', import.meta.url)),
});
