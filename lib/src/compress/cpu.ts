/**
 * What the machine's integer kernels can hold. onnxruntime's x86 u8×s8 kernels (QGemm, QLinearConv) multiply with
 * `vpmaddubsw` when the CPU has no VNNI instructions: each pair of uint8 × int8 products is summed into an int16 that
 * saturates (255 × 127 × 2 = 64,770 > 32,767). Weights limited to ±63 (7 bits, onnxruntime.quantization's
 * `reduce_range`) keep every pair within int16. With AVX-512 VNNI, AVX-VNNI or AMX the products go to int32 directly.
 */
import { readFileSync } from 'node:fs';

let saturates: boolean | undefined;

/**
 * Whether onnxruntime's integer kernels on this machine sum uint8 × int8 pairs in int16 (x86-64 without VNNI): read
 * once from `/proc/cpuinfo` on Linux; false elsewhere (Arm's dot products, or a CPU whose flags cannot be read).
 */
export function integerPairsSaturate(): boolean {
  saturates ??= process.arch === 'x64' && cpuFlagsSaturate(readCpuFlags());
  return saturates;
}

/** Whether a CPU with these flags (as `/proc/cpuinfo` lists them) takes onnxruntime's int16 pair path. */
export function cpuFlagsSaturate(flags: ReadonlySet<string> | undefined): boolean {
  if (flags === undefined) return false;
  return !['avx512_vnni', 'avx_vnni', 'amx_int8'].some((flag) => flags.has(flag));
}

function readCpuFlags(): Set<string> | undefined {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return line === undefined
      ? undefined
      : new Set(
          line
            .slice(line.indexOf(':') + 1)
            .trim()
            .split(/\s+/),
        );
  } catch {
    return undefined;
  }
}
