"""PyTorch CPU peer for bench/main.ts, printing one JSON object.

Usage:
  /usr/bin/python3 bench/peer_torch.py --sizes 256,512,1024 --warmup 2 --repeats 5
      square f32 matmul GFLOP/s (mode "matmul", the default)
  /usr/bin/python3 bench/peer_torch.py --mode train --workloads mlp
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_torch.py --mode train --workloads cnn,conv \
      --threads 2
      the training workloads of bench/train_bench.ts, rows named as there: MLP and CNN training
      steps (samples/s, loss read after N steps and after every step) and conv fwd+bwd (ms).
      peer-figures.md's best thread settings: 1 torch thread with OpenBLAS's 2 for the MLP's
      GEMMs, 2 torch threads with 1 OpenBLAS thread for convs (2 and 2 fight over the cores).

Prints {"available": false, "reason": ...} when torch cannot be imported, so the caller can
skip the column with a note instead of failing.
"""

import argparse
import json
import os
import statistics
import sys
import time


BATCH = 64
# Row names shared with bench/train_bench.ts (TRAIN_ROWS): keep them identical.
ROWS = {
    "mlp": "MLP 784-256-256-10, loss read after N steps",
    "mlpSync": "MLP 784-256-256-10, loss read every step",
    "cnn": "CNN conv32-pool-conv64-pool-fc128-fc10, loss read after N steps",
    "cnnSync": "CNN conv32-pool-conv64-pool-fc128-fc10, loss read every step",
    "conv1": "conv fwd+bwd (dX, dW) 64x1x28x28 -> 32, 3x3",
    "conv2": "conv fwd+bwd (dX, dW) 64x32x14x14 -> 64, 3x3",
}
# Steps per workload: as in bench/train_bench.ts, but more of them, since a torch step is ~100x
# shorter (a round of a few ms would be all timer noise).
TIMING = {
    "mlp": {"warmup": 20, "rounds": 5, "steps": 50, "sync": 25},
    "cnn": {"warmup": 5, "rounds": 5, "steps": 20, "sync": 15},
    "conv": {"warmup": 3, "rounds": 9},
}


def time_training(model, torch, timing):
    """Samples/s reading the loss after each round of N steps, and after every step."""
    x = torch.randn(BATCH, 1, 28, 28)
    y = torch.tensor([(i * 7 + 3) % 10 for i in range(BATCH)])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run(steps):
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        loss.item()
        return time.perf_counter() - t0

    run(timing["warmup"])
    per_round = statistics.median(run(timing["steps"]) for _ in range(timing["rounds"]))
    per_step = statistics.median(run(1) for _ in range(timing["sync"]))
    return timing["steps"] * BATCH / per_round, BATCH / per_step


def conv_fwd_bwd(torch, shape, out_channels, timing):
    """Median ms of conv forward plus dX and dW for a given upstream gradient."""
    n, c, h, w = shape
    x = torch.randn(n, c, h, w, requires_grad=True)
    weight = torch.randn(out_channels, c, 3, 3, requires_grad=True)
    dy = torch.randn(n, out_channels, h, w)
    times = []
    for i in range(timing["warmup"] + timing["rounds"]):
        t0 = time.perf_counter()
        y = torch.nn.functional.conv2d(x, weight, padding=1)
        torch.autograd.grad(y, [x, weight], dy)
        if i >= timing["warmup"]:
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def bench_train(torch, workloads):
    """The requested workloads ("mlp", "cnn", "conv") as {name, value, unit} rows."""
    nn = torch.nn
    rows = []
    if "mlp" in workloads:
        model = nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 10))
        fast, sync = time_training(model, torch, TIMING["mlp"])
        rows += [{"name": ROWS["mlp"], "value": fast, "unit": "samples/s"},
                 {"name": ROWS["mlpSync"], "value": sync, "unit": "samples/s"}]
    if "cnn" in workloads:
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
        fast, sync = time_training(model, torch, TIMING["cnn"])
        rows += [{"name": ROWS["cnn"], "value": fast, "unit": "samples/s"},
                 {"name": ROWS["cnnSync"], "value": sync, "unit": "samples/s"}]
    if "conv" in workloads:
        for key, shape, out in (("conv1", (64, 1, 28, 28), 32), ("conv2", (64, 32, 14, 14), 64)):
            ms = conv_fwd_bwd(torch, shape, out, TIMING["conv"])
            rows.append({"name": ROWS[key], "value": ms, "unit": "ms"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="256,512,1024")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    # One torch thread lets OpenBLAS use both cores for the GEMM (peer-figures.md: 2 and 2 fight).
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mode", choices=["matmul", "train"], default="matmul")
    parser.add_argument("--workloads", default="mlp,cnn,conv")
    args = parser.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
        print(json.dumps({"available": False, "reason": f"torch import failed: {e}"}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.mode == "train":
        print(json.dumps({
            "available": True,
            "version": torch.__version__,
            "threads": torch.get_num_threads(),
            "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "rows": bench_train(torch, args.workloads.split(",")),
        }))
        return
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
