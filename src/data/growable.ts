type Typed = Int32Array | Float32Array;

/**
 * An append-only typed buffer that grows by half when full (peak memory ≈ 2.5× the contents
 * while growing): readers fill it without building per-element JS objects.
 */
export class Growable<T extends Typed> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T, capacity = 1024) { this.data = make(Math.max(16, capacity)); }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    const next = this.make(Math.max(min, Math.ceil(this.data.length * 1.5)));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** A trimmed copy of the contents. */
  toArray(): T { return this.data.slice(0, this.length) as T; }
}

/** A growable Int32Array. */
export const growInt32 = (capacity?: number): Growable<Int32Array> => new Growable((n) => new Int32Array(n), capacity);
/** A growable Float32Array. */
export const growFloat32 = (capacity?: number): Growable<Float32Array> => new Growable((n) => new Float32Array(n), capacity);
