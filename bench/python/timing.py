"""The timing rule of the bench peers: best of 3 after a warm-up, in milliseconds (as Lepton's workers time)."""
import time


def ms(f):
    f()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return round(best * 1e3, 1)
