"""Writes freezer.json: torch training of tests/fixtures/gen_trainer.py's Linear(4, 3) classifier
with Lighter 0.0.5's Freezer rule applied at each batch start (requires_grad=False on the matched
parameters until global_step >= until_step or current_epoch >= until_epoch, then unfrozen once),
as Lightning runs the loop: one optimizer step per batch, torch's optimizers skipping parameters
whose grad is None.

Run with: /usr/bin/python3 tests/trainer/callbacks/gen_freezer.py
(then `deno fmt tests/trainer/callbacks/freezer.json`)
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures"))
from _common import to_json  # noqa: E402


def data():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(40, 4, generator=g)
    y = torch.randint(0, 3, (40,), generator=g)
    return x, y


class Freezer:
    """Lighter 0.0.5's `_on_batch_start` and `_set_model_requires_grad`, names only."""

    def __init__(self, names=(), name_starts_with=(), until_step=None, until_epoch=None):
        self.names, self.starts = list(names), list(name_starts_with)
        self.until_step, self.until_epoch = until_step, until_epoch
        self.frozen = False

    def on_batch_start(self, model, global_step, epoch):
        if self.until_step is not None and global_step >= self.until_step:
            if self.frozen:
                self.set(model, True)
            return
        if self.until_epoch is not None and epoch >= self.until_epoch:
            if self.frozen:
                self.set(model, True)
            return
        if not self.frozen:
            self.set(model, False)

    def set(self, model, requires_grad):
        for name, p in model.named_parameters():
            match = name in self.names or any(name.startswith(s) for s in self.starts)
            p.requires_grad = requires_grad if match else True
        self.frozen = not requires_grad


def run(label, freezer_args, optimizer="sgd", epochs=2, batch=8):
    x, y = data()
    torch.manual_seed(3)
    model = torch.nn.Linear(4, 3)
    w0, b0 = model.weight.detach().clone(), model.bias.detach().clone()
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    freezer = Freezer(**freezer_args)
    n = (len(x) + batch - 1) // batch
    step = 0
    requires_grad = []
    for epoch in range(epochs):
        for i in range(n):
            freezer.on_batch_start(model, step, epoch)
            requires_grad.append({k: p.requires_grad for k, p in model.named_parameters()})
            xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
            torch.nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            opt.zero_grad()
            step += 1
    return {
        "label": label, "freezer": freezer_args, "optimizer": optimizer, "epochs": epochs,
        "weight0": to_json(w0, 9), "bias0": to_json(b0, 9),
        "weight": to_json(model.weight), "bias": to_json(model.bias),
        "requires_grad": requires_grad,
    }


def main():
    cases = [
        run("bias until step 3 (SGD)", {"names": ["bias"], "until_step": 3}),
        run("prefix 'we' until epoch 1 (SGD)", {"name_starts_with": ["we"], "until_epoch": 1}),
        run("weight for good (Adam)", {"names": ["weight"]}, optimizer="adam"),
    ]
    path = os.path.join(HERE, "freezer.json")
    with open(path, "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
