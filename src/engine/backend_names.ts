/**
 * The compute backends by name, in the order `auto` prefers them: defined once, in a module
 * that loads no tensor library (the CLI's `--backend` choices read it).
 */
export const BACKENDS = Object.freeze(['tensorflow', 'native', 'wasm', 'cpu'] as const);
/** A compute backend's name: one of {@link BACKENDS}. @useDeclaredType */
export type BackendName = (typeof BACKENDS)[number];
/** What a caller may ask for: a backend, or `auto` (the first of {@link BACKENDS} that loads). */
export const BACKEND_CHOICES = Object.freeze(['auto', ...BACKENDS] as const);
/**
 * What a caller may ask for: a backend name, or `'auto'` (the first of {@link BACKENDS} that loads).
 * @useDeclaredType
 */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
