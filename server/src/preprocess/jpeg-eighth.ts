/**
 * A baseline JPEG read at one eighth of its size, in JavaScript: each 8×8 block becomes one pixel, the block's mean
 * (its DC coefficient, descaled as libjpeg's 1/8 IDCT does). The AC coefficients are entropy-decoded only to be
 * skipped, and no IDCT runs, so a 256×256 photo costs a few hundredths of a millisecond more than reading its bytes —
 * where a sharp call costs ~1.5–2 ms of CPU whatever the image (libvips builds a pipeline of GObject operations per
 * call, and sharp reads its options from JS). Training on a folder of photos at CIFAR-like sizes (32×32 from 256×256)
 * needs nothing finer than these means.
 *
 * Only the common case is read here: 8-bit baseline or extended-sequential Huffman JPEG, one grey or three YCbCr
 * components, one interleaved scan, no ICC profile. Anything else (progressive, arithmetic coding, CMYK, RGB JPEGs,
 * 12-bit, a truncated or corrupt scan) returns `undefined`, and the caller decodes the file with sharp, which knows
 * every case and reports the errors.
 */

/** What the headers of a JPEG say, as far as reading it at 1/8 needs. */
export interface JpegHeader {
  /** Width and height in pixels, as stored (before the EXIF orientation). */
  width: number;
  height: number;
  /** 1 (grey) or 3 (YCbCr). */
  components: 1 | 3;
  /** The EXIF orientation, 1 (upright) to 8. */
  orientation: number;
  /** Where the markers were found; internal to `decodeJpegEighth`. */
  frame: Frame;
}

/** A pixel image: `channels` bytes per pixel, row by row from the top left. */
export interface SmallImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  /** How many output pixels one of its blocks spans across and down: 1, or 2 for subsampled chroma. */
  ratioX: number;
  ratioY: number;
  /** The DC entry of its quantization table (all a component read at 1/8 needs of it, but for `subWeights`). */
  dcQuant: number;
  /**
   * For a subsampled component: per sub-area of a block (ratioX × ratioY of them, row by row) and per zigzag index,
   * what one unit of that coefficient adds to the sub-area's mean. Undefined when only the DC is needed.
   */
  subWeights: Float32Array[] | undefined;
  dcTable: HuffmanTable;
  acTable: HuffmanTable;
  /** The tables' `generation` when the header was read: a pooled table refilled since differs. */
  dcGeneration: number;
  acGeneration: number;
}

/** The natural index (row × 8 + column) of each zigzag position. */
const ZIGZAG = (() => {
  const order = new Int32Array(64);
  let k = 0;
  for (let sum = 0; sum < 15; sum++) {
    for (let i = 0; i <= sum; i++) {
      const row = sum % 2 === 0 ? sum - i : i;
      const column = sum - row;
      if (row < 8 && column < 8) order[k++] = row * 8 + column;
    }
  }
  return order;
})();

/**
 * The mean of the basis cosine cos((2x + 1)uπ/16) over the half `half` (0: x = 0..3, 1: x = 4..7) of a block, or
 * over all 8 when `halves` is 1: the IDCT of a block averaged over each half, in one direction.
 */
function halfMean(u: number, half: number, halves: number): number {
  let sum = 0;
  const from = halves === 1 ? 0 : half * 4;
  const count = 8 / halves;
  for (let x = from; x < from + count; x++) sum += Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return sum / count;
}

/**
 * Per sub-area and zigzag index, the weight of a dequantized coefficient in the sub-area's mean: the 8×8 IDCT
 * (1/4 · C(u) · C(v) · cosines) averaged over the sub-area. The means of a subsampled chroma block's halves or
 * quarters put it at the luma blocks' resolution, as libjpeg's reduced IDCTs do. Computed once per layout.
 */
const SUB_AREA_BASIS = new Map<string, Float32Array[]>();
function subAreaBasis(ratioX: number, ratioY: number): Float32Array[] {
  const key = `${ratioX}x${ratioY}`;
  let basis = SUB_AREA_BASIS.get(key);
  if (!basis) {
    basis = [];
    for (let b = 0; b < ratioY; b++) {
      for (let a = 0; a < ratioX; a++) {
        const w = new Float32Array(64);
        for (let k = 0; k < 64; k++) {
          const u = ZIGZAG[k]! % 8;
          const v = ZIGZAG[k]! >> 3;
          w[k] =
            0.25 *
            (u === 0 ? Math.SQRT1_2 : 1) *
            (v === 0 ? Math.SQRT1_2 : 1) *
            halfMean(u, a, ratioX) *
            halfMean(v, b, ratioY);
        }
        basis.push(w);
      }
    }
    SUB_AREA_BASIS.set(key, basis);
  }
  return basis;
}

/**
 * The planes `decodeJpegEighth` sums a file's blocks into, reused from file to file: they never leave the call (its
 * pixels are a new array), and the reader is synchronous, one per thread. A fresh array per file (or a share of a
 * fresh slab) was an ArrayBuffer of its own for V8's helper threads to sweep, ~12 KB for each 256×256 photo of a
 * cold dataset. Planes larger than `MAX_KEPT_PLANES` entries get an array of their own, so that a thread keeps no
 * memory sized by its largest file.
 */
let planeStore = new Float32Array(0);
const MAX_KEPT_PLANES = 256 * 1024;

/** `length` zeroed entries for a file's planes: a view of `planeStore`, or an array of its own when larger. */
function zeroedPlanes(length: number): Float32Array {
  if (length <= planeStore.length) return planeStore.subarray(0, length).fill(0);
  const planes = new Float32Array(length);
  if (length <= MAX_KEPT_PLANES) planeStore = planes;
  return planes;
}

/**
 * The four quantization tables of the file whose headers are being read, in zigzag order (as stored), refilled by
 * each file's DQT segments: a header keeps only what it needs of them (`Component.dcQuant`, `Component.subWeights`),
 * read from here when its scan starts, so no per-file array is made for them.
 */
const QUANT_STORE = new Int32Array(4 * 64);

/**
 * FNV-1a of `array[from, to)` after `seed`, to 30 bits: the key of a table in the caches below, cheaper than a string
 * of its entries (which cost more than reading the rest of a small file); a hit is then compared entry by entry.
 * 30 bits, so that the key is always a small integer to V8: a full 32-bit hash is a heap number half the time, and
 * storing one in a table's `key` (a small integer at first) changed the tables' hidden class, which threw the block
 * loop's optimised code away again and again (each recompilation ~50 ms of a helper thread, per worker).
 */
function hashOf(array: ArrayLike<number>, from: number, to: number, seed: number): number {
  let hash = Math.imul(0x811c9dc5 ^ seed, 0x01000193);
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ array[i]!, 0x01000193);
  return hash & 0x3fffffff;
}

/** Whether `a[0, length)` equals `b[from, from + length)`. */
function sameEntries(a: ArrayLike<number>, b: ArrayLike<number>, from: number, length: number): boolean {
  if (a.length !== length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[from + i]) return false;
  return true;
}

/** `subAreaWeights` by layout and quantization table: files of one encoder and quality share their tables. */
const WEIGHTS_BY_TABLE = new Map<
  number,
  { ratioX: number; ratioY: number; quant: Int32Array; weights: Float32Array[] }
>();
const MAX_CACHED_WEIGHTS = 64;

/**
 * The sub-area weights of `subAreaBasis` times the quantization table at `quant[from, from + 64)`: what one unit of
 * a quantized coefficient adds.
 */
function subAreaWeights(quant: Int32Array, from: number, ratioX: number, ratioY: number): Float32Array[] {
  const key = hashOf(quant, from, from + 64, ratioX * 4 + ratioY);
  const cached = WEIGHTS_BY_TABLE.get(key);
  if (cached?.ratioX === ratioX && cached.ratioY === ratioY && sameEntries(cached.quant, quant, from, 64))
    return cached.weights;
  const weights = subAreaBasis(ratioX, ratioY).map((basis) => basis.map((w, k) => w * quant[from + k]!));
  if (WEIGHTS_BY_TABLE.size >= MAX_CACHED_WEIGHTS) WEIGHTS_BY_TABLE.clear();
  WEIGHTS_BY_TABLE.set(key, { ratioX, ratioY, quant: quant.slice(from, from + 64), weights });
  return weights;
}

interface Frame {
  components: Component[];
  hMax: number;
  vMax: number;
  restartInterval: number;
  /** Offset of the first byte of entropy-coded data. */
  scanStart: number;
}

/**
 * The decoding tables of one DHT entry, views of one `Int32Array`. The tables of the last `MAX_CACHED_TABLES` entries
 * read live in a pool of such arrays, refilled in place from file to file (see `cachedHuffmanTable`): an optimising
 * encoder writes new tables into every file, and a fresh array a table (a slab's share, then its collection) was
 * most of the time its headers took.
 */
interface HuffmanTable {
  /**
   * Each `LOOKUP_BITS`-bit prefix. For a DC table: (code length << 8) | symbol, or 0 when the code is longer. For an
   * AC table, the prefix decoded whole, code and extra bits together (one lookup per coefficient instead of a lookup,
   * a `receive` and two refills): see `fastAcEntry`; when the code fits the prefix but its extra bits do not, the
   * code alone (`codeOnlyEntry`); 0 when the code is longer than the prefix.
   */
  prefixes: Int32Array;
  /** Per code length 1..16: the largest code of that length (−1 when none), the first code, and its index in `values`. */
  maxCode: Int32Array;
  minCode: Int32Array;
  valueIndex: Int32Array;
  /** The DHT entry's AC flag, 16 counts and values, as read (`sourceLength` entries): what a cache hit is compared with. */
  source: Int32Array;
  sourceLength: number;
  /** The values: `source` from its 18th entry. */
  values: Int32Array;
  /** Incremented each time the table is refilled, so that a header holding it can tell it has changed. */
  generation: number;
  /** Its key in `TABLES_BY_BYTES`. */
  key: number;
}

const LOOKUP_BITS = 9;

/**
 * Prefix length of an AC table's `HuffmanTable.prefixes`: 9 bits (2 KB a table) decoded the bench's photos as fast as 11 bits, and
 * cost a quarter as much to build (encoders that optimise their tables write new ones into every file). As long as
 * `LOOKUP_BITS`: an AC code longer than the prefix is then one `longCode` reads, from `LOOKUP_BITS + 1` bits on.
 */
const FAST_AC_BITS = LOOKUP_BITS;
/**
 * Bit 12 of an AC table's `prefixes` entry: set for a coefficient, clear for the end of the block (EOB) and a run of 16 zeros (ZRL),
 * which may take the position past 63 without the block being corrupt.
 */
const FAST_COEFFICIENT = 1 << 12;
/** The positions an EOB entry skips: any position plus this is past 63, which ends the block. */
const END_OF_BLOCK_SKIP = 64;

/**
 * One entry of an AC table's `prefixes`: bits 0–4 the bits consumed (code and extra bits), 5–11 the zero coefficients skipped before
 * this one (the run; 15 for a ZRL, whose own coefficient is a zero; `END_OF_BLOCK_SKIP` for an EOB), bit 12
 * `FAST_COEFFICIENT`, 14 and up the coefficient's value (signed: read back with `>> 14`; 0 for ZRL and EOB). One
 * shape for all three, so the block loop needs no test of the kind but when the position passes 63. Only for a code
 * whose extra bits fit the prefix after it (`length + (symbol & 15) <= FAST_AC_BITS`).
 */
function fastAcEntry(prefix: number, length: number, symbol: number): number {
  const size = symbol & 15;
  // As in the two-step decoding: a symbol of size 0 is a run of 16 zeros (0xF0), or else ends the block.
  if (size === 0) return ((symbol === 0xf0 ? 15 : END_OF_BLOCK_SKIP) << 5) | length;
  const extra = (prefix >> (FAST_AC_BITS - length - size)) & ((1 << size) - 1);
  // The JPEG sign extension (F.2.2.1): a value whose top bit is 0 is negative.
  const value = extra < 1 << (size - 1) ? extra - (1 << size) + 1 : extra;
  return (value << 14) | FAST_COEFFICIENT | ((symbol >> 4) << 5) | (length + size);
}

/**
 * An AC `prefixes` entry for a code of `length` bits whose extra bits run past the prefix: (length << 8) | symbol, as a DC
 * `prefixes` entry, shifted above bits 0–4, which are then 0 (every whole entry consumes at least one bit): the block
 * loop tells the two kinds apart by those bits and then reads the extra bits itself.
 */
function codeOnlyEntry(length: number, symbol: number): number {
  return ((length << 8) | symbol) << 5;
}

/**
 * Decoding tables by the DHT entry's bytes (hashed, then compared): a folder of photos from one camera or encoder
 * often repeats the same few tables in every file (encoders that optimise their tables per file make each one new,
 * and then building costs what it always did). Its tables are the slots of `TABLE_POOL`.
 */
const TABLES_BY_BYTES = new Map<number, HuffmanTable>();
const MAX_CACHED_TABLES = 64;
/**
 * The pooled tables, refilled in turn (the oldest first): at most `MAX_CACHED_TABLES` of `POOLED_VALUES` values
 * each, ~3.6 KB apiece, made as first needed and kept for the thread's life.
 */
const TABLE_POOL: HuffmanTable[] = [];
let nextSlot = 0;
/** A valid table codes each byte at most once (libjpeg rejects more): a longer one gets a table of its own. */
const POOLED_VALUES = 256;

/** An empty table with room for `values` values. */
function emptyTable(values: number): HuffmanTable {
  const prefixes = 1 << LOOKUP_BITS;
  const store = new Int32Array(prefixes + 3 * 17 + 17 + values);
  let next = prefixes;
  const source = store.subarray(next + 3 * 17);
  return {
    prefixes: store.subarray(0, prefixes),
    maxCode: store.subarray(next, (next += 17)),
    minCode: store.subarray(next, (next += 17)),
    valueIndex: store.subarray(next, (next += 17)),
    source,
    sourceLength: 0,
    values: source.subarray(17),
    generation: 0,
    key: 0,
  };
}

/** Whether `table` was built from the DHT entry whose 16 counts start at `bytes[at]`, followed by `n` values. */
function builtFrom(table: HuffmanTable, bytes: Uint8Array, at: number, n: number, ac: boolean): boolean {
  if (table.sourceLength !== 17 + n || table.source[0] !== (ac ? 1 : 0)) return false;
  const source = table.source;
  for (let i = 0; i < 16 + n; i++) if (source[1 + i] !== bytes[at + i]) return false;
  return true;
}

/**
 * The tables of the DHT entry whose 16 counts start at `bytes[at]`, followed by `n` values: found in
 * `TABLES_BY_BYTES`, or built into the oldest slot of `TABLE_POOL`. Undefined when corrupt.
 */
function cachedHuffmanTable(bytes: Uint8Array, at: number, n: number, ac: boolean): HuffmanTable | undefined {
  const key = hashOf(bytes, at, at + 16 + n, ac ? 1 : 0);
  const cached = TABLES_BY_BYTES.get(key);
  if (cached && builtFrom(cached, bytes, at, n, ac)) return cached;
  if (n > POOLED_VALUES) return fillHuffmanTable(emptyTable(n), bytes, at, n, ac);
  let slot = TABLE_POOL[nextSlot];
  if (!slot) TABLE_POOL.push((slot = emptyTable(POOLED_VALUES)));
  nextSlot = (nextSlot + 1) % MAX_CACHED_TABLES;
  // Two entries may share a hash: the key may by now name another slot's table.
  if (TABLES_BY_BYTES.get(slot.key) === slot) TABLES_BY_BYTES.delete(slot.key);
  slot.key = key;
  const table = fillHuffmanTable(slot, bytes, at, n, ac);
  if (table) TABLES_BY_BYTES.set(key, table);
  return table;
}

/**
 * Fills `table` (`emptyTable`, or one used before) with the decoding tables of the DHT entry whose 16 counts start
 * at `bytes[at]`, followed by `n` values (JPEG spec, annex C). Returns it, or undefined when the entry is corrupt
 * (the table then matches no entry until filled again).
 */
function fillHuffmanTable(
  table: HuffmanTable,
  bytes: Uint8Array,
  at: number,
  n: number,
  ac: boolean,
): HuffmanTable | undefined {
  const { prefixes, maxCode, minCode, valueIndex, source, values } = table;
  table.generation++;
  table.sourceLength = 0;
  prefixes.fill(0);
  maxCode.fill(-1);
  source[0] = ac ? 1 : 0;
  for (let i = 0; i < 16 + n; i++) source[1 + i] = bytes[at + i]!;
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const count = source[length]!;
    if (count > 0) {
      valueIndex[length] = k;
      minCode[length] = code;
      for (let i = 0; i < count; i++, k++, code++) {
        if (k >= n) return undefined;
        if (length > LOOKUP_BITS) continue;
        const symbol = values[k]!;
        const from = code << (LOOKUP_BITS - length);
        const to = (code + 1) << (LOOKUP_BITS - length);
        // Plain loops, not `fill`: a builtin call per code cost more than the few entries most codes fill.
        if (!ac || length + (symbol & 15) > FAST_AC_BITS) {
          // A DC code, or an AC code whose extra bits run past the prefix: the code alone, for every prefix it starts.
          const entry = ac ? codeOnlyEntry(length, symbol) : (length << 8) | symbol;
          for (let prefix = from; prefix < to; prefix++) prefixes[prefix] = entry;
        } else {
          // One entry per value of the extra bits, repeated over the prefix bits that follow them.
          const repeat = 1 << (FAST_AC_BITS - length - (symbol & 15));
          for (let prefix = from; prefix < to;) {
            const entry = fastAcEntry(prefix, length, symbol);
            for (const end = prefix + repeat; prefix < end; prefix++) prefixes[prefix] = entry;
          }
        }
      }
      maxCode[length] = code - 1;
      // A code that overflows its length is a corrupt table.
      if (code > 1 << length) return undefined;
    }
    code <<= 1;
  }
  table.sourceLength = 17 + n;
  return table;
}

/** The EXIF orientation in an APP1 segment (`Exif\0\0` then a TIFF header), 1 when absent or unreadable. */
function exifOrientation(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 14 || String.fromCharCode(...bytes.subarray(start, start + 4)) !== 'Exif') return 1;
  const tiff = start + 6;
  const little = bytes[tiff] === 0x49;
  const u16 = (at: number) =>
    at + 2 > end ? -1 : little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  const u32 = (at: number) =>
    at + 4 > end ? -1 : little ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2);
  const ifd = tiff + u32(tiff + 4);
  const entries = u16(ifd);
  if (ifd < tiff || entries < 0) return 1;
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/**
 * Reads the headers of a JPEG up to its first scan. Returns undefined when the bytes are not a JPEG this module
 * reads (see the module's comment): the caller then decodes them with sharp.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  return readHeader(bytes, true);
}

/**
 * `readJpegHeader`, its decoding tables from the pool (`pooled`), or each built into an array of its own: for a file
 * with so many DHT entries that the pool wraps around before its scan (and so refills a table the file uses).
 */
function readHeader(bytes: Uint8Array, pooled: boolean): JpegHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  /** Bit i set: this file has defined quantization table i (in `QUANT_STORE`). */
  let quantDefined = 0;
  const tables = new Array<HuffmanTable | undefined>(8);
  /** Each table's `generation` when read: compared at the scan, as `decodeJpegEighth` does. */
  const generations = [0, 0, 0, 0, 0, 0, 0, 0];
  let orientation = 1;
  let restartInterval = 0;
  let sof:
    { width: number; height: number; components: Array<{ id: number; h: number; v: number; tq: number }> } | undefined;
  let adobeTransform = -1;
  let jfif = false;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const start = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return undefined;
    if (marker === 0xc0 || marker === 0xc1) {
      // Baseline or extended sequential, Huffman-coded: 8-bit samples only.
      if (bytes[start] !== 8) return undefined;
      const height = (bytes[start + 1]! << 8) | bytes[start + 2]!;
      const width = (bytes[start + 3]! << 8) | bytes[start + 4]!;
      const count = bytes[start + 5]!;
      if (width === 0 || height === 0 || (count !== 1 && count !== 3) || end < start + 6 + count * 3) return undefined;
      const components = [];
      for (let i = 0; i < count; i++) {
        const c = start + 6 + i * 3;
        const h = bytes[c + 1]! >> 4;
        const v = bytes[c + 1]! & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) return undefined;
        components.push({ id: bytes[c]!, h, v, tq: bytes[c + 2]! & 3 });
      }
      sof = { width, height, components };
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return undefined; // progressive, lossless, hierarchical or arithmetic-coded: sharp reads those
    } else if (marker === 0xdb) {
      for (let p = start; p < end;) {
        const precision = bytes[p]! >> 4;
        const id = bytes[p]! & 15;
        if (id > 3) return undefined;
        if (p + 1 + (precision === 0 ? 64 : 128) > end) return undefined;
        for (let k = 0; k < 64; k++)
          QUANT_STORE[id * 64 + k] =
            precision === 0 ? bytes[p + 1 + k]! : (bytes[p + 1 + 2 * k]! << 8) | bytes[p + 2 + 2 * k]!;
        quantDefined |= 1 << id;
        p += 1 + (precision === 0 ? 64 : 128);
      }
    } else if (marker === 0xc4) {
      for (let p = start; p < end;) {
        const kind = bytes[p]! >> 4;
        const id = bytes[p]! & 15;
        if (kind > 1 || id > 3 || p + 17 > end) return undefined;
        let n = 0;
        for (let i = p + 1; i < p + 17; i++) n += bytes[i]!;
        if (p + 17 + n > end) return undefined;
        const table = pooled
          ? cachedHuffmanTable(bytes, p + 1, n, kind === 1)
          : fillHuffmanTable(emptyTable(n), bytes, p + 1, n, kind === 1);
        if (!table) return undefined;
        tables[kind * 4 + id] = table;
        generations[kind * 4 + id] = table.generation;
        p += 17 + n;
      }
    } else if (marker === 0xdd) {
      restartInterval = (bytes[start]! << 8) | bytes[start + 1]!;
    } else if (marker === 0xe0) {
      jfif ||= String.fromCharCode(...bytes.subarray(start, Math.min(start + 4, end))) === 'JFIF';
    } else if (marker === 0xe1) {
      orientation = exifOrientation(bytes, start, end);
    } else if (marker === 0xe2) {
      // An ICC profile: sharp converts through it; leave such files to sharp.
      if (String.fromCharCode(...bytes.subarray(start, Math.min(start + 11, end))) === 'ICC_PROFILE') return undefined;
    } else if (marker === 0xee) {
      if (String.fromCharCode(...bytes.subarray(start, Math.min(start + 5, end))) === 'Adobe' && end >= start + 12)
        adobeTransform = bytes[start + 11]!;
    } else if (marker === 0xda) {
      if (!sof) return undefined;
      const count = bytes[start]!;
      // One interleaved scan of every component, all 64 coefficients, no successive approximation.
      if (count !== sof.components.length || end !== start + 1 + count * 2 + 3) return undefined;
      const spectral = start + 1 + count * 2;
      if (bytes[spectral] !== 0 || bytes[spectral + 1] !== 63 || bytes[spectral + 2] !== 0) return undefined;
      // Three components are YCbCr unless the file says RGB (Adobe transform 0, or ids 'R', 'G', 'B' without JFIF).
      const ids = sof.components;
      if (
        count === 3 &&
        (adobeTransform === 0 || (adobeTransform === -1 && !jfif && ids[0]!.id === 0x52 && ids[1]!.id === 0x47))
      )
        return undefined;
      let hMax = 1;
      let vMax = 1;
      for (const c of ids) {
        hMax = Math.max(hMax, c.h);
        vMax = Math.max(vMax, c.v);
      }
      // Each component is made whole, its fields final: a field set later (undefined, then an array) changes the
      // objects' hidden class, and that threw away the block loop's optimised code while it was being compiled.
      const components: Component[] = [];
      for (let i = 0; i < count; i++) {
        const c = ids[i]!;
        if (bytes[start + 1 + i * 2] !== c.id) return undefined;
        const selectors = bytes[start + 2 + i * 2]!;
        const dcTable = tables[selectors >> 4];
        const acTable = tables[4 + (selectors & 15)];
        if (selectors >> 4 > 3 || !dcTable || !acTable || (quantDefined & (1 << c.tq)) === 0) return undefined;
        const dcGeneration = generations[selectors >> 4]!;
        const acGeneration = generations[4 + (selectors & 15)]!;
        if (dcTable.generation !== dcGeneration || acTable.generation !== acGeneration) return readHeader(bytes, false);
        // Chroma at half the luma resolution (4:2:0, 4:2:2, 4:4:0) or full; 4:1:1 and odder layouts go to sharp.
        const ratioX = count === 3 ? hMax / c.h : 1;
        const ratioY = count === 3 ? vMax / c.v : 1;
        if ((ratioX !== 1 && ratioX !== 2) || (ratioY !== 1 && ratioY !== 2)) return undefined;
        components.push({
          id: c.id,
          h: c.h,
          v: c.v,
          ratioX,
          ratioY,
          dcQuant: QUANT_STORE[c.tq * 64]!,
          subWeights: ratioX * ratioY > 1 ? subAreaWeights(QUANT_STORE, c.tq * 64, ratioX, ratioY) : undefined,
          dcTable,
          acTable,
          dcGeneration,
          acGeneration,
        });
      }
      return {
        width: sof.width,
        height: sof.height,
        components: count as 1 | 3,
        orientation,
        frame: { components, hMax, vMax, restartInterval, scanStart: end },
      };
    } else if (marker === 0xd9) {
      return undefined;
    }
    at = end;
  }
  return undefined;
}

/**
 * Zero bytes after each entropy-coded segment in `unstuffed`: reading past a segment's end feeds zeros, as a decoder
 * does at a marker. One block reads at most 64 codes of 16 bits with 15 extra bits (~250 bytes); the block loop
 * gives up once more than `OVERRUN_BYTES` zeros are read, so this many always cover the block in progress.
 */
const OVERRUN_BYTES = 8;
const SEGMENT_PADDING = 272;

/**
 * The entropy-coded bytes of the segment being decoded, without byte stuffing (0xFF 0x00 → 0xFF), then zeros: the
 * block loop then reads one byte per 8 bits with no test for markers. Reused from file to file (the reader is
 * synchronous, one per thread); a larger file gets a buffer of its own (see `MAX_KEPT_UNSTUFFED`).
 */
let unstuffed = new Uint8Array(0);
const MAX_KEPT_UNSTUFFED = 1024 * 1024;

/** An unstuffed segment: its bytes (then zeros), its length, and the offset in the file of what ends it. */
interface Segment {
  data: Uint8Array;
  end: number;
  stop: number;
}

/**
 * Copies the entropy-coded segment starting at `from` into `unstuffed` (from its start; a larger one into a buffer
 * of its own), up to the first marker or the end of the file, and zeros after it. `stop` is the offset of the 0xFF that ends it (or the file's length).
 */
function unstuffSegment(bytes: Uint8Array, from: number): Segment {
  const needed = bytes.length - from + SEGMENT_PADDING;
  const data =
    needed <= unstuffed.length
      ? unstuffed
      : new Uint8Array(needed <= MAX_KEPT_UNSTUFFED ? Math.max(needed, 64 * 1024) : needed);
  if (data.length <= MAX_KEPT_UNSTUFFED) unstuffed = data;
  let end = 0;
  let at = from;
  while (at < bytes.length) {
    const byte = bytes[at]!;
    if (byte === 0xff) {
      if (bytes[at + 1] !== 0) break;
      at++;
    }
    data[end++] = byte;
    at++;
  }
  data.fill(0, end, end + SEGMENT_PADDING);
  return { data, end, stop: at };
}

/**
 * The code at the top of `code16` (16 bits) in a table whose `prefixes` do not hold it (longer than
 * `LOOKUP_BITS`): (length << 8) | symbol, or −1 when no code matches (corrupt data).
 */
function longCode(table: HuffmanTable, code16: number): number {
  for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
    const code = code16 >>> (16 - length);
    if (code <= table.maxCode[length]!)
      return (length << 8) | table.values[table.valueIndex[length]! + code - table.minCode[length]!]!;
  }
  return -1;
}

/**
 * `entry` when it holds a code (non-zero), else the long code at the top of `code16` (`longCode`). The DC code of
 * every block and the AC codes longer than the prefix both come through here, so that the call of `longCode` has been
 * made (by an AC code) before the block loop is optimised: a call that has never run, made first by a rare long DC
 * code, threw the optimised loop away (a recompilation of ~50 ms, per worker thread).
 */
function codeOr(entry: number, table: HuffmanTable, code16: number): number {
  return entry !== 0 ? entry : longCode(table, code16);
}

/** The JPEG sign extension (F.2.2.1) of `size` extra bits: a value whose top bit is 0 is negative. */
function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

/**
 * How many bytes a reader with `bits` bits left loads before reading `size` extra bits (at most 15): none when
 * enough are left, else until more than 24 bits are, as `for (; bits <= 24; bits += 8)` would (2 to 4 bytes).
 * Without a branch, so that the block loop has no line only a rare case runs.
 */
function bytesToLoad(bits: number, size: number): number {
  return (((24 - bits) >> 3) + 1) & ((bits - size) >> 31);
}

/**
 * `buffer` after `fill` (0 to 4) rounds of `buffer = (buffer << 8) | data[pos++]`, without a loop. Two shifts by
 * half the bits: JavaScript shifts by 32 as by 0.
 */
function shiftedIn(buffer: number, data: Uint8Array, pos: number, fill: number): number {
  const half = fill << 2;
  const next = (data[pos]! << 24) | (data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!;
  return ((buffer << half) << half) | ((next >>> (16 - half)) >>> (16 - half));
}

/**
 * The `fastAcEntry` of an AC code longer than the fast prefix, once read: `symbol` (run and size), and its `size`
 * extra bits `extra`, still in the bit buffer (the entry's bits 0–4, consumed by the block loop). An end of block
 * or a run of 16 zeros consumes none.
 *
 * Without a branch: the block loop inlines this, and a line that only a long end of block or run of zeros ran
 * (rare in many folders) had no type feedback when the loop was optimised, so that its first use threw the loop's
 * optimised code away.
 */
function longAcEntry(symbol: number, extra: number): number {
  const size = symbol & 15;
  const run = symbol >> 4;
  // All ones for a symbol without extra bits (a ZRL, or else the end of the block), else 0.
  const none = (size - 1) >> 31;
  // 1 for a ZRL (no extra bits, a run of 15: 0xF0), else 0.
  const zrl = none & ((run + 1) >> 4);
  // extend(0, 0) is 0: the coefficient's entry is computed, and dropped, for a symbol without extra bits too.
  const coefficient = (extend(extra, size) << 14) | FAST_COEFFICIENT | (run << 5) | size;
  const skip = (END_OF_BLOCK_SKIP - zrl * (END_OF_BLOCK_SKIP - 15)) << 5;
  return (coefficient & ~none) | (skip & none);
}

/** Whether a pooled table of `frame` has been refilled with another DHT entry's since its header was read. */
function tablesRefilled(frame: Frame): boolean {
  for (const c of frame.components)
    if (c.dcTable.generation !== c.dcGeneration || c.acTable.generation !== c.acGeneration) return true;
  return false;
}

/**
 * The bit reader's state between two calls of `decodeMcu`: the position in the segment's bytes, the bit buffer
 * (32 bits, as an int32) and how many of its low bits are unread. `decodeMcu` keeps them in locals and loads and
 * stores them here once per MCU, a few accesses per six blocks of a 4:2:0 file.
 */
const READER = new Int32Array(3);
const POSITION = 0;
const BUFFER = 1;
const BITS = 2;

/** Each component's DC predictor (the last block's DC), reset at each restart marker; one file at a time. */
const PREDICTORS = new Int32Array(3);

/**
 * Decodes the scan of `header`'s JPEG at 1/8 scale: `ceil(width / 8)` × `ceil(height / 8)` pixels, grey or RGB as
 * stored, before the EXIF orientation. Each pixel is the mean of its 8×8 block: luma from the block's DC, subsampled
 * chroma from the mean of the matching half or quarter of its chroma block (converted with the JFIF equations).
 * Returns undefined when the entropy-coded data is corrupt or ends early.
 *
 * The blocks are read by `decodeMcu`, one call per MCU, and the rare steps (a restart marker, headers read again)
 * are functions of their own. When this function held the block loop, V8 compiled it by on-stack replacement inside
 * the first file, with half its type feedback missing, then again and again as each unseen path ran (8–13
 * compilations of a large function per cold dataset, 30–130 ms of a helper thread each). A small function called
 * ~250 times a file is optimised whole after a few files, with the feedback of every common path.
 */
export function decodeJpegEighth(bytes: Uint8Array, header: JpegHeader): SmallImage | undefined {
  const current = tablesRefilled(header.frame) ? readHeader(bytes, false) : header;
  if (!current) return undefined;
  const { components, hMax, vMax, restartInterval, scanStart } = current.frame;
  const count = components.length;
  const interleaved = count > 1;
  const mcusX = interleaved ? Math.ceil(current.width / (8 * hMax)) : Math.ceil(current.width / 8);
  const mcusY = interleaved ? Math.ceil(current.height / (8 * vMax)) : Math.ceil(current.height / 8);
  // Every component's plane at the output resolution, padded to whole MCUs, one after the other in `planes`.
  const planeWidth = interleaved ? mcusX * hMax : mcusX;
  const planeHeight = interleaved ? mcusY * vMax : mcusY;
  const planeSize = planeWidth * planeHeight;
  const planes = zeroedPlanes(planeSize * count);
  PREDICTORS.fill(0);
  READER.fill(0);

  let segment = unstuffSegment(bytes, scanStart);
  let untilRestart = restartInterval;
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval > 0) {
        if (untilRestart === 0) {
          const next = nextSegment(bytes, segment);
          if (!next) return undefined;
          segment = next;
          untilRestart = restartInterval;
        }
        untilRestart--;
      }
      if (!decodeMcu(segment.data, segment.end, components, mx, my, planes, planeWidth, planeSize)) return undefined;
    }
  }
  // Zeros read past the end of the data and used: the scan is truncated.
  const position = READER[POSITION]!;
  if (position > segment.end && READER[BITS]! < (position - segment.end) * 8) return undefined;
  return toPixels(planes, planeWidth, planeSize, Math.ceil(current.width / 8), Math.ceil(current.height / 8), count);
}

/**
 * At a restart marker: the segment after it, the reader and the predictors reset; undefined when the segment before
 * was not read to its end (every byte before the marker read, no zero past it used; padding bits are dropped) or no
 * RSTn marker ends it.
 */
function nextSegment(bytes: Uint8Array, segment: Segment): Segment | undefined {
  const position = READER[POSITION]!;
  if (position < segment.end || READER[BITS]! < (position - segment.end) * 8) return undefined;
  const marker = segment.stop;
  if (bytes[marker] !== 0xff || (bytes[marker + 1]! & 0xf8) !== 0xd0) return undefined;
  READER.fill(0);
  PREDICTORS.fill(0);
  return unstuffSegment(bytes, marker + 2);
}

/**
 * Decodes the blocks of the MCU at (`mx`, `my`) of `data` (an unstuffed segment of `end` bytes, then zeros) into
 * `planes`, starting from and leaving the bit reader's state in `READER`. False when the data is corrupt or runs
 * too far past its end.
 *
 * The bit reader's state lives in local variables here: the block loop is most of the reader's time, and state in
 * an object's fields is a memory load and store per access. The buffer is refilled at exactly the points a plain
 * byte-at-a-time reader would (before a code when fewer than 16 bits are left, before extra bits when fewer than
 * they), so which files are accepted is as before.
 */
function decodeMcu(
  data: Uint8Array,
  end: number,
  components: Component[],
  mx: number,
  my: number,
  planes: Float32Array,
  planeWidth: number,
  planeSize: number,
): boolean {
  let pos = READER[POSITION]!;
  let buffer = READER[BUFFER]!;
  let bits = READER[BITS]!;
  const interleaved = components.length > 1;
  for (let i = 0; i < components.length; i++) {
    const c = components[i]!;
    const plane = i * planeSize;
    const dcLookup = c.dcTable.prefixes;
    const fastAc = c.acTable.prefixes;
    const weights = c.subWeights;
    // Up to four sub-areas (2×2): their weights and running means in locals (float32, as a Float32Array held them).
    const subAreas = weights ? weights.length : 0;
    const w0 = weights?.[0];
    const w1 = weights?.[1];
    const w2 = weights?.[2];
    const w3 = weights?.[3];
    const blocksDown = interleaved ? c.v : 1;
    const blocksAcross = interleaved ? c.h : 1;
    for (let v = 0; v < blocksDown; v++) {
      for (let h = 0; h < blocksAcross; h++) {
        // A scan that reads this many zeros past its end is truncated: stop before running off the padding.
        if (pos > end + OVERRUN_BYTES) return false;
        // The DC: its size category, then that many extra bits (the difference from the last block's DC).
        if (bits < 16) for (; bits <= 24; bits += 8) buffer = (buffer << 8) | data[pos++]!;
        // The next 16 bits, then their prefix (a long code reads them all). Every line here runs for every
        // block: an expression that runs only in a rare case has no type feedback when the loop is optimised,
        // and its first use throws the optimised loop away.
        const dcBits = (buffer >>> (bits - 16)) & 0xffff;
        const code = codeOr(dcLookup[dcBits >>> (16 - LOOKUP_BITS)]!, c.dcTable, dcBits);
        if (code < 0) return false;
        bits -= code >> 8;
        const dcSize = code & 255;
        if (dcSize > 11) return false;
        let difference = 0;
        if (dcSize !== 0) {
          // When fewer bits than its size are left, bytes are loaded (without a branch: see above).
          const fill = bytesToLoad(bits, dcSize);
          buffer = shiftedIn(buffer, data, pos, fill);
          pos += fill;
          bits += fill << 3;
          bits -= dcSize;
          difference = extend((buffer >>> bits) & ((1 << dcSize) - 1), dcSize);
        }
        const dc = (PREDICTORS[i]! += difference);
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        if (subAreas > 0) {
          s0 = Math.fround(128 + dc * w0![0]!);
          s1 = Math.fround(128 + dc * w1![0]!);
          if (subAreas === 4) {
            s2 = Math.fround(128 + dc * w2![0]!);
            s3 = Math.fround(128 + dc * w3![0]!);
          }
        }
        // The AC coefficients: skipped for a block whose mean is its DC, else added to the sub-areas' means.
        for (let k = 1; k < 64; k++) {
          if (bits < 16) for (; bits <= 24; bits += 8) buffer = (buffer << 8) | data[pos++]!;
          let entry = fastAc[(buffer >>> (bits - FAST_AC_BITS)) & ((1 << FAST_AC_BITS) - 1)]!;
          if ((entry & 31) === 0) {
            // A code and extra bits longer than the fast prefix: the code, then its extra bits (when fewer are left,
            // bytes loaded as for the DC's, without a branch), made an entry of the fast prefix's shape that
            // consumes the extra bits alone. The rare codes (a long end of block or run of 16 zeros, extra bits past
            // the buffer) then add no line of their own to this loop, to be run first after it is optimised.
            const rs = codeOr(entry >> 5, c.acTable, (buffer >>> (bits - 16)) & 0xffff);
            if (rs < 0) return false;
            bits -= rs >> 8;
            const size = rs & 15;
            const fill = bytesToLoad(bits, size);
            buffer = shiftedIn(buffer, data, pos, fill);
            pos += fill;
            bits += fill << 3;
            entry = longAcEntry(rs & 255, (buffer >>> (bits - size)) & ((1 << size) - 1));
          }
          bits -= entry & 31;
          k += (entry >> 5) & 127;
          if (k > 63) {
            // Past the block: the end of it (EOB, or 16 zeros to its end), or a coefficient off it (corrupt).
            if ((entry & FAST_COEFFICIENT) !== 0) return false;
            break;
          }
          // A ZRL's value is 0: adding it changes no mean.
          if (subAreas === 0) continue;
          const value = entry >> 14;
          s0 = Math.fround(s0 + value * w0![k]!);
          s1 = Math.fround(s1 + value * w1![k]!);
          if (subAreas === 4) {
            s2 = Math.fround(s2 + value * w2![k]!);
            s3 = Math.fround(s3 + value * w3![k]!);
          }
        }
        const x = interleaved ? (mx * c.h + h) * c.ratioX : mx;
        const y = interleaved ? (my * c.v + v) * c.ratioY : my;
        const at = plane + y * planeWidth + x;
        if (subAreas > 0) {
          // The sub-areas row by row: 2×1 (two across), 1×2 (two down) or 2×2.
          planes[at] = s0;
          if (c.ratioX === 2) {
            planes[at + 1] = s1;
            if (subAreas === 4) {
              planes[at + planeWidth] = s2;
              planes[at + planeWidth + 1] = s3;
            }
          } else {
            planes[at + planeWidth] = s1;
          }
        } else {
          // libjpeg's 1×1 IDCT: the dequantized DC descaled by 8, rounded, around 128.
          const value = ((dc * c.dcQuant + 4) >> 3) + 128;
          planes[at] = value < 0 ? 0 : value > 255 ? 255 : value;
        }
      }
    }
  }
  READER[POSITION] = pos;
  READER[BUFFER] = buffer;
  READER[BITS] = bits;
  return true;
}

/**
 * The `width` × `height` pixels of the planes (`count` of `planeSize` entries, rows of `planeWidth`, one after the
 * other in `planes`): grey as it is, YCbCr converted to RGB with the JFIF equations.
 */
function toPixels(
  planes: Float32Array,
  planeWidth: number,
  planeSize: number,
  width: number,
  height: number,
  count: number,
): SmallImage {
  const channels = count === 1 ? 1 : 3;
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, p = y * planeWidth; x < width; x++, p++, o += channels) {
      if (channels === 1) {
        pixels[o] = planes[p]!;
        continue;
      }
      const l = planes[p]!;
      const blue = planes[planeSize + p]! - 128;
      const red = planes[2 * planeSize + p]! - 128;
      pixels[o] = clampByte(l + 1.402 * red);
      pixels[o + 1] = clampByte(l - 0.344136 * blue - 0.714136 * red);
      pixels[o + 2] = clampByte(l + 1.772 * blue);
    }
  }
  return { width, height, channels, pixels };
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
