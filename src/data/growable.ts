type Typed = Int32Array | Float32Array | Uint8Array;
type TypedCtor<T extends Typed> = new (n: number) => T;

/**
 * An append-only typed buffer for the readers: they fill it without building per-element JS
 * objects, and take a trimmed copy once at the end.
 *
 * It grows by half when full (peak ≈ 2.5× the contents while growing). A reader that can
 * estimate the final size calls {@link reserve} once; from then on the buffer grows by an
 * eighth only, so a slightly low estimate costs little memory.
 */
export class Growable<T extends Typed> {
  /** The backing array; entries [0, length) are the contents. */
  data: T;
  /** Number of entries pushed. */
  length = 0;
  private factor = 1.5;
  // The constructor, not a per-instance closure: optimized code that inlines a closure of a
  // collected parser would be thrown away by V8 ("weak objects" deoptimization).
  constructor(private readonly ctor: TypedCtor<T>, capacity = 1024) { this.data = new ctor(Math.max(16, capacity)); }
  /** Append one value. */
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Append all of `values`. */
  append(values: T): void {
    const end = this.length + values.length;
    if (end > this.data.length) this.grow(end);
    this.data.set(values, this.length);
    this.length = end;
  }
  /** Empty it, dropping a backing array grown past `keep` entries. */
  clear(keep = 1 << 20): void {
    this.length = 0;
    if (this.data.length > keep) this.data = new this.ctor(16);
  }
  /** Make room for at least `min` entries. */
  grow(min: number): void {
    this.resize(Math.max(min, Math.ceil(this.data.length * this.factor)));
  }
  /** Make the capacity at least `capacity` (the expected final length) and switch to slow growth. */
  reserve(capacity: number): void {
    this.factor = 1.125;
    if (capacity > this.data.length) this.resize(Math.ceil(capacity));
  }
  private resize(n: number): void {
    const next = new this.ctor(n);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** A trimmed copy of the contents. */
  toArray(): T { return this.data.slice(0, this.length) as T; }
}

/** A growable Int32Array. */
export const growInt32 = (capacity?: number): Growable<Int32Array> => new Growable(Int32Array, capacity);
/** A growable Uint8Array (bytes). */
export const growBytes = (capacity?: number): Growable<Uint8Array> => new Growable(Uint8Array, capacity);
/** A growable Float32Array. */
export const growFloat32 = (capacity?: number): Growable<Float32Array> => new Growable(Float32Array, capacity);
