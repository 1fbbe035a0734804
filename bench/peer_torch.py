"""PyTorch peer for bench/main.ts, printing one JSON object. Runs on CUDA when this torch has it
(`--device auto`, the default; `--device cpu` forces the CPU), and says which device it used.

Usage:
  python3 bench/peer_torch.py --mode probe
      {"available", "version", "cuda", "device"}: what bench/main.ts checks to pick a python
  python3 bench/peer_torch.py --sizes 256,512,1024 --warmup 2 --repeats 5
      square f32 matmul GFLOP/s (mode "matmul", the default): the product plus a copy of the
      whole result to host memory (as lumen's `data()`), and kernel-only (k products, one sync,
      the slope over k, as bench/matmul_bench.ts). TF32 is off ("highest" precision).
  python3 bench/peer_torch.py --mode train --workloads mlp --batches 64,512
  OPENBLAS_NUM_THREADS=1 python3 bench/peer_torch.py --mode train --workloads cnn,conv \
      --threads 2
      the training workloads of bench/train_bench.ts, rows named as there: MLP and CNN training
      steps at each batch (samples/s, loss read after N steps and after every step) and conv
      fwd+bwd at batch 64 (ms). On the CPU, peer-figures.md's best thread settings: 1 torch thread
      with OpenBLAS's 2 for the MLP's GEMMs, 2 torch threads with 1 OpenBLAS thread for convs.

Prints {"available": false, "reason": ...} when torch cannot be imported, so the caller can
skip the column with a note instead of failing.
"""

import argparse
import json
import os
import statistics
import sys
import time


CONV_BATCH = 64
MODELS = {"mlp": "MLP 784-256-256-10", "cnn": "CNN conv32-pool-conv64-pool-fc128-fc10"}
# Conv row names shared with bench/train_bench.ts (TRAIN_ROWS): keep them identical.
CONV_ROWS = {
    "conv1": "conv fwd+bwd (dX, dW) 64x1x28x28 -> 32, 3x3",
    "conv2": "conv fwd+bwd (dX, dW) 64x32x14x14 -> 64, 3x3",
}


def train_row(model, batch, sync):
    """As trainRow() in bench/train_bench.ts."""
    read = "every step" if sync else "after N steps"
    return f"{MODELS[model]}, batch {batch}, loss read {read}"


def train_timing(model, batch, cuda):
    """Steps per workload: 20 steps between loss reads, as lumen on a real GPU."""
    if cuda:
        return {"warmup": 20, "rounds": 7, "steps": 20, "sync": 15}
    if batch <= 64:
        return {"warmup": 20, "rounds": 5, "steps": 20, "sync": 25 if model == "mlp" else 15}
    if model == "mlp":
        return {"warmup": 5, "rounds": 5, "steps": 20, "sync": 10}
    return {"warmup": 2, "rounds": 3, "steps": 20, "sync": 5}


CONV_TIMING = {"warmup": 3, "rounds": 9}


def sync_device(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_training(model, torch, device, batch, timing):
    """Samples/s reading the loss after each round of N steps, and after every step."""
    model = model.to(device)
    x = torch.randn(batch, 1, 28, 28, device=device)
    y = torch.tensor([(i * 7 + 3) % 10 for i in range(batch)], device=device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run(steps):
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        loss.item()  # waits for the device, as lumen's loss read
        return time.perf_counter() - t0

    run(timing["warmup"])
    per_round = statistics.median(run(timing["steps"]) for _ in range(timing["rounds"]))
    per_step = statistics.median(run(1) for _ in range(timing["sync"]))
    return timing["steps"] * batch / per_round, batch / per_step


def conv_fwd_bwd(torch, device, shape, out_channels, timing):
    """Median ms of conv forward plus dX and dW for a given upstream gradient, both copied to
    host memory (as lumen reads them back)."""
    n, c, h, w = shape
    x = torch.randn(n, c, h, w, requires_grad=True, device=device)
    weight = torch.randn(out_channels, c, 3, 3, requires_grad=True, device=device)
    dy = torch.randn(n, out_channels, h, w, device=device)
    times = []
    for i in range(timing["warmup"] + timing["rounds"]):
        t0 = time.perf_counter()
        y = torch.nn.functional.conv2d(x, weight, padding=1)
        dx, dw = torch.autograd.grad(y, [x, weight], dy)
        dx.cpu(), dw.cpu()
        if i >= timing["warmup"]:
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def bench_train(torch, device, workloads, batches):
    """The requested workloads ("mlp", "cnn", "conv") as {name, value, unit} rows."""
    nn = torch.nn
    cuda = device.type == "cuda"
    builders = {
        "mlp": lambda: nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 10)),
        "cnn": lambda: nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)),
    }
    rows = []
    for model in ("mlp", "cnn"):
        if model not in workloads:
            continue
        for batch in batches:
            timing = train_timing(model, batch, cuda)
            fast, sync = time_training(builders[model](), torch, device, batch, timing)
            rows += [
                {"name": train_row(model, batch, False), "value": fast, "unit": "samples/s",
                 "stepsPerRead": timing["steps"]},
                {"name": train_row(model, batch, True), "value": sync, "unit": "samples/s"},
            ]
    if "conv" in workloads:
        for key, shape, out in (("conv1", (CONV_BATCH, 1, 28, 28), 32),
                                ("conv2", (CONV_BATCH, 32, 14, 14), 64)):
            ms = conv_fwd_bwd(torch, device, shape, out, CONV_TIMING)
            rows.append({"name": CONV_ROWS[key], "value": ms, "unit": "ms"})
    return rows


def bench_matmul(torch, device, sizes, warmup, repeats, target_s=0.25):
    """Square f32 matmul rows: readback-included median, and kernel-only from a chain's slope."""
    rows = []
    for n in sizes:
        a = torch.rand(n, n, dtype=torch.float32, device=device)
        b = torch.rand(n, n, dtype=torch.float32, device=device)
        for _ in range(warmup):
            torch.matmul(a, b).cpu()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            c = torch.matmul(a, b)
            c.cpu()  # the whole result in host memory, as lumen's data()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)

        def chain(k):
            sync_device(torch, device)
            t0 = time.perf_counter()
            for _ in range(k):
                c = torch.matmul(a, b)
            sync_device(torch, device)
            float(c[0, 0])
            return time.perf_counter() - t0

        one = chain(1)
        probe = 1e-6
        p = 2
        while p <= 1024:
            extra = chain(p) - one
            probe = max(extra / (p - 1), 1e-6)
            if extra >= target_s / 4:
                break
            p *= 2
        k = min(1000, max(3, round(target_s / probe)))
        ones = [chain(1) for _ in range(repeats)]
        longs = [chain(k) for _ in range(repeats)]
        per = max((statistics.median(longs) - statistics.median(ones)) / (k - 1), 1e-9)
        rows.append({
            "size": n, "medianMs": med * 1e3, "gflops": 2 * n**3 / med / 1e9,
            "kernelMs": per * 1e3, "kernelGflops": 2 * n**3 / per / 1e9, "products": k,
        })
    return rows


def describe(torch, device):
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return "cpu"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="256,512,1024")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    # One torch thread lets OpenBLAS use both cores for the GEMM (peer-figures.md: 2 and 2 fight).
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mode", choices=["probe", "matmul", "train"], default="matmul")
    parser.add_argument("--workloads", default="mlp,cnn,conv")
    parser.add_argument("--batches", default="64,512")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = parser.parse_args()
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
        print(json.dumps({"available": False, "reason": f"torch import failed: {e}"}))
        return
    cuda = args.device != "cpu" and torch.cuda.is_available()
    if args.device == "cuda" and not cuda:
        print(json.dumps({"available": False, "reason": "--device cuda: torch has no CUDA"}))
        return
    device = torch.device("cuda" if cuda else "cpu")
    base = {
        "available": True,
        "version": torch.__version__,
        "python": f"{sys.executable} {sys.version.split()[0]}",
        "cuda": cuda,
        "device": describe(torch, device),
    }
    if args.mode == "probe":
        print(json.dumps(base))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # Plain FP32 products on CUDA too: no TF32 (lumen computes in f32).
    torch.set_float32_matmul_precision("highest")
    base.update({
        "threads": torch.get_num_threads(),
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
    })
    if args.mode == "train":
        batches = [int(b) for b in args.batches.split(",")]
        base["rows"] = bench_train(torch, device, args.workloads.split(","), batches)
    else:
        sizes = [int(s) for s in args.sizes.split(",")]
        base["matmul"] = bench_matmul(torch, device, sizes, args.warmup, args.repeats)
    print(json.dumps(base))


if __name__ == "__main__":
    main()
