"""Writes python_format.json: Python's own answers for repr(float), format(value, spec) and
os.path.join, which ModelCheckpoint's file names and CSVLogger's cells must reproduce.

Run with: /usr/bin/python3 tests/trainer/callbacks/gen_python_format.py
(then `deno fmt tests/trainer/callbacks/python_format.json`)
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


REPR_VALUES = [
    0.0, -0.0, 1.0, -2.5, 0.1, 1e-4, 1e-5, 1.5e-7, 123456.0, 1e15, 1e16, 1.5e16, 1e22,
    2 ** 53 + 0.0, 1 / 3, 5e-324, 1.7976931348623157e308, f32(1.4634126424789429),
    f32(0.1), f32(1e-6), f32(3.4e38), 0.30000000000000004, 1234.5678,
]

FLOAT_SPECS = [
    "", ".4f", ".2f", ".0f", "#.0f", ".3f", "f", "F", "e", ".2e", "E", ".0e", "#.0e", "g", ".3g",
    ".10g", "#g", "#.3g", "G", ".3", ".1", ".0", ".5", "n", "%", ".1%", "+.2f", " .2f", "010.3f",
    "<10.2f", ">10.2f", "^11.2f", "*^11.2f", "=+10.2f", ",.2f", "_.1f", "015,.2f", "z.1f",
    "+", "10", "08.2e", "0=8.1f",
]

FLOAT_VALUES = [
    0.0, -0.0, 0.125, 0.375, 2.5, 3.5, -1.25, 1.0808, 1.0807634592056274, 0.02, 0.123456,
    1234567.891, 1e-5, 1.5e-7, 123.0, 12.0, 99.995, 9.9999, 1e16, 1e22, -0.04, 0.5,
    float("inf"), float("-inf"), float("nan"), 2.675, 1.005, 0.0001234,
]

INT_SPECS = ["", "d", "02d", "03d", "03", "5", "<5", "^6", "+d", " d", ",", "_d", "010,d",
             "09,d", "08,d", "x", "#x", "X", "#X", "b", "#b", "o", "#o", "_b", ".2f", "e",
             ".1%", "g", "n"]
INT_VALUES = [0, 1, 5, 12, 1234, 1234567, -3, -1234, 255]

ERROR_CASES = [
    (1.5, False, "d"), (1.5, False, "x"), (1.5, False, "s"), (3, True, ".2"), (3, True, "s"),
    (3, True, ".2d"), (1.5, False, "q"), (1.5, False, "..2f"),
]

JOINS = [
    ["logs", "lightning_logs", "version_0", "checkpoints"], ["logs/", "x"], ["logs", "", "version_3"],
    ["a", "/abs", "b"], ["", "a"], ["a//", "b"], ["/", "checkpoints"],
]


def fmt(v, spec):
    try:
        return {"ok": format(v, spec)}
    except (ValueError, TypeError) as e:
        return {"error": str(e)}


cases = []
for v in FLOAT_VALUES:
    for spec in FLOAT_SPECS:
        cases.append({"value": v, "int": False, "spec": spec, **fmt(v, spec)})
for v in INT_VALUES:
    for spec in INT_SPECS:
        cases.append({"value": v, "int": True, "spec": spec, **fmt(v, spec)})
for v, is_int, spec in ERROR_CASES:
    cases.append({"value": v, "int": is_int, "spec": spec, **fmt(v, spec)})


def enc(x):
    # JSON has no inf/nan: write them as strings the test decodes.
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return repr(x)
    return x


out = {
    "repr": [{"value": enc(v), "repr": repr(v)} for v in REPR_VALUES],
    "format": [{**c, "value": enc(c["value"])} for c in cases],
    "join": [{"parts": p, "joined": os.path.join(*p)} for p in JOINS],
}
with open(os.path.join(HERE, "python_format.json"), "w") as f:
    json.dump(out, f, indent=0)
    f.write("\n")
