/**
 * The environment the kernel process starts with: Jupyter sets it from the kernelspec's `env` (kernel.json), and the
 * benchmarks give it to the worker processes that stand in for the kernel, so they measure what a notebook gets.
 *
 * `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` makes glibc's malloc ask for transparent huge pages (`madvise`) on the
 * memory it maps. The typed arrays of DataFrames, tensors and images are malloc'd: with 4 KiB pages every fresh 80 MB
 * column costs 20,000 page faults (~230 ms on a 2-core VM, more than the 10M-row join that fills it); with 2 MiB pages
 * about 40. V8's own heap and WebAssembly memory are mapped by V8, not malloc, and are unaffected. glibc before 2.35,
 * musl, macOS and Windows ignore the variable.
 */
export const KERNEL_PROCESS_ENV: Readonly<Record<string, string>> = Object.freeze({
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
});
