import { fileURLToPath } from 'node:url';

/** The repository root (tests run compiled from dist/test/...). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The shared real datasets beside the project. */
export const sharedDatasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
