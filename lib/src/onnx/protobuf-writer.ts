/**
 * A small Protocol Buffers wire-format writer: just what an ONNX file needs (varints, 32-bit floats,
 * length-delimited bytes, strings and nested messages, packed repeated numbers).
 */

/** Protobuf wire types. */
const enum Wire {
  Varint = 0,
  Fixed32 = 5,
  LengthDelimited = 2,
}

const utf8 = new TextEncoder();

/** Builds one message's bytes; nested messages are built by their own writer and written with `message`. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;
  private readonly scratch = new DataView(new ArrayBuffer(4));

  /** Writes a varint field (int32, int64, enum, bool). Negative values take ten bytes, as protobuf requires. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, Wire.Varint);
    this.rawVarint(value);
    return this;
  }

  /** Writes a `float` field (fixed 32 bits, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, Wire.Fixed32);
    this.rawFloat(value);
    return this;
  }

  /** Writes a `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, Wire.LengthDelimited);
    this.rawVarint(value.length);
    this.append(value);
    return this;
  }

  /** Writes a `string` field as UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** Writes a nested message field, built by `build` on a fresh writer. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** Writes a repeated varint field in packed form (nothing when empty). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** Writes a repeated `float` field in packed form (nothing when empty). */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.rawFloat(v);
    return this.bytes(field, inner.finish());
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private tag(field: number, wire: Wire): void {
    if (!Number.isInteger(field) || field < 1) throw new RangeError(`bad protobuf field number ${field}`);
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint needs an integer, got ${value}`);
    }
    // Two's complement on 64 bits, 7 bits per byte, low bits first.
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.append(bytes);
  }

  private rawFloat(value: number): void {
    this.scratch.setFloat32(0, value, true);
    this.append(new Uint8Array(this.scratch.buffer, 0, 4));
  }

  private append(bytes: ArrayLike<number>): void {
    const need = this.length + bytes.length;
    if (need > this.buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length = need;
  }
}
