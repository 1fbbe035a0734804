"""Writes hparams_yaml.json: PyYAML's yaml.dump (what Lightning's save_hparams_to_yaml uses) of
configs like the ones the Runner logs, for CSVLogger's hparams.yaml test.

Known difference, left out of the cases: a string that must be quoted and holds a single quote
("'q'") is written "'q'" by lumen and '''q''' by PyYAML (both read back the same).

Run with: /usr/bin/python3 tests/trainer/loggers/gen_hparams_yaml.py
(then `deno fmt tests/trainer/loggers/hparams_yaml.json`)
"""
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "lighter_config": {
        "project": "./projects/cifar",
        "vars": {"batch_size": 32, "lr": 0.001, "name": None},
        "trainer": {
            "_target_": "lumen.Trainer",
            "max_epochs": 10,
            "devices": None,
            "logger": False,
            "fast_dev_run": True,
            "callbacks": [
                {"_target_": "lumen.callbacks.ModelCheckpoint", "monitor": "val/loss/epoch",
                 "filename": "best-{epoch:02d}-{val/loss/epoch:.4f}", "save_top_k": 2},
                {"_target_": "lumen.callbacks.EarlyStopping", "monitor": "val/loss/epoch",
                 "min_delta": 0.0001, "patience": 3},
            ],
        },
        "system": {
            "_target_": "lumen.System",
            "model": {"_target_": "project.models.Net", "num_classes": 10,
                      "hidden": [128, 64], "dropout": 0.25},
            "criterion": {"_target_": "lumen.nn.CrossEntropyLoss", "weight": [[1, 2], [3, 4]]},
            "optimizer": {"_target_": "lumen.optim.AdamW", "params": "$@system::model.parameters()",
                          "lr": "%vars::lr", "betas": [0.9, 0.999], "eps": 1e-08,
                          "weight_decay": 0.05},
            "dataloaders": {"train": {"batch_size": "%vars::batch_size", "shuffle": True,
                                      "dataset": {"root": "~/data", "download": "yes"}}},
            "metrics": {"train": [], "val": {}},
            "adapters": {"train": {"criterion": {"pred_argument": 0, "target_argument": "y"}}},
        },
        "args": {"fit": {"ckpt_path": None}, "test": {"ckpt_path": "checkpoints/best.ckpt"}},
        "_requires_": ["@system::model"],
        "scores": [1.5e-07, 2.5e+20, -0.5, 3.14159, 100.5],
        "Upper": "on",
        "comment": "a: b # not a comment",
        "empty": "",
        "plain_or_quoted": ["y", "n", "1e5", "0o7", "yes", "off", "1_000", "0x1f", "2024-01-01",
                            "12:30", "~", "null", "-", "@x", "%y", "!z", "*a", "&b", "[1]", "{}",
                            "#c", "a #b", "x: y", '"d"', "1.5", ".5", "+1", "-.inf"],
    },
}

out = {name: {"params": params, "yaml": yaml.dump(params)} for name, params in CASES.items()}
with open(os.path.join(HERE, "hparams_yaml.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
