/**
 * The label encoder kinds (`--method`), in a module of their own that loads no tensor library,
 * so that flag parsing and manifest validation stay light.
 */
export const ENCODER_KINDS = Object.freeze(['l1ae', 'l1-sae', 'tied-relu', 'deep-l0', 'm-sparse', 'pca', 'gaussian', 'simple-ae'] as const);
/**
 * A label encoder's name (one of {@link ENCODER_KINDS}): the `method` of an embedding model.
 * @useDeclaredType
 */
export type EncoderKind = (typeof ENCODER_KINDS)[number];
