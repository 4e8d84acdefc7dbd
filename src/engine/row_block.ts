/**
 * Rows per block of the batch kernels of prediction (the native ℓ1-AE decoder's kRows, the exact
 * kNN search's query block, and the stride of the score blocks is a multiple of it). Every
 * product of those kernels has exactly this many rows — the last block is padded with zero rows —
 * because some BLAS kernels (OpenBLAS's Haswell sgemm, for one) sum a row's products in an order
 * that depends on the shape of the product and on the row's place in it. So the rows of a batch
 * that starts at a multiple of ROW_BLOCK (a shard of a distributed prediction) are scored bit for
 * bit as they are in the whole batch.
 */
export const ROW_BLOCK = 64;
