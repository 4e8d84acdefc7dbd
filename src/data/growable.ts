/** Append-only typed buffers that grow by half when full (peak memory ≈ 2.5× the contents while growing): no per-element JS objects. */
export class GrowInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) { this.data = new Int32Array(Math.max(16, capacity)); }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    const next = new Int32Array(Math.max(min, Math.ceil(this.data.length * 1.5)));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** A trimmed copy of the contents. */
  toArray(): Int32Array { return this.data.slice(0, this.length); }
}

/** Float32 twin of {@link GrowInt32}. */
export class GrowFloat32 {
  data: Float32Array;
  length = 0;
  constructor(capacity = 1024) { this.data = new Float32Array(Math.max(16, capacity)); }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    const next = new Float32Array(Math.max(min, Math.ceil(this.data.length * 1.5)));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  toArray(): Float32Array { return this.data.slice(0, this.length); }
}
