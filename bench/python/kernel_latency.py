"""Start-up and per-cell latency of one Jupyter kernel through jupyter_client, for `npm run bench -- kernel`.

usage: kernel_latency.py KERNEL_NAME CWD [LIBRARY_CELL]
Prints one JSON line: start_s (start to kernel_info reply), trivial_p50_ms / trivial_max_ms over 20 trivial cells,
and library_p50_ms / library_max_ms over 20 runs of LIBRARY_CELL (after one warm-up run that loads the library).
"""
import json
import statistics
import sys
import time

from jupyter_client.manager import start_new_kernel

name, cwd = sys.argv[1], sys.argv[2]
library_cell = sys.argv[3] if len(sys.argv) > 3 else None
started = time.time()
km, kc = start_new_kernel(kernel_name=name, startup_timeout=120, cwd=cwd)
start_s = time.time() - started


def run(code):
    t = time.time()
    reply = kc.execute_interactive(code, timeout=300, output_hook=lambda m: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{name}: {code!r} failed: {reply['content']}")
    return (time.time() - t) * 1e3


run("1 + 1")
trivial = [run(f"let x{i} = {i} * 2; x{i}") for i in range(20)]
result = dict(kernel=name, start_s=start_s, trivial_p50_ms=statistics.median(trivial), trivial_max_ms=max(trivial))
if library_cell:
    run(library_cell)
    library = [run(library_cell) for _ in range(20)]
    result.update(library_p50_ms=statistics.median(library), library_max_ms=max(library))
print(json.dumps(result))
km.shutdown_kernel(now=True)
