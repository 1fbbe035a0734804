"""PyTorch CPU peer for bench/main.ts: square f32 matmul GFLOP/s, printed as one JSON object.

Usage: /usr/bin/python3 bench/peer_torch.py --sizes 256,512,1024 --warmup 2 --repeats 5

Prints {"available": false, "reason": ...} when torch cannot be imported, so the caller can
skip the column with a note instead of failing.
"""

import argparse
import json
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="256,512,1024")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    # One torch thread lets OpenBLAS use both cores for the GEMM (peer-figures.md: 2 and 2 fight).
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
        print(json.dumps({"available": False, "reason": f"torch import failed: {e}"}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        a = torch.rand(n, n, dtype=torch.float32)
        b = torch.rand(n, n, dtype=torch.float32)
        for _ in range(args.warmup):
            torch.matmul(a, b)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            c = torch.matmul(a, b)
            # The result already lives in host memory: touching it is the "readback".
            float(c[0, 0])
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        rows.append({"size": n, "medianMs": med * 1e3, "gflops": 2 * n**3 / med / 1e9})
    print(json.dumps({
        "available": True,
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "python": sys.version.split()[0],
        "matmul": rows,
    }))


if __name__ == "__main__":
    main()
