/**
 * The hyperparameters as Lightning's TensorBoardLogger gives them to TensorBoard's hparams plugin:
 * `_flatten_dict` (nested keys joined with `/`), `_sanitize_params` (anything but bool, number and
 * str becomes Python's `str()` of it), then `torch.utils.tensorboard.summary.hparams`: three
 * summaries (experiment, session start, session end) whose plugin content is a serialized
 * `HParamsPluginData`.
 *
 * @module
 */
import { ProtoWriter } from "../../io/protobuf_wire.ts";
import type { SummaryValue } from "../../io/tfevents.ts";
import { pyFloatRepr, pyStrRepr } from "../callbacks/python_compat.ts";

/** A hyperparameter value TensorBoard takes. */
export type HparamValue = number | string | boolean;

function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's `repr()` of plain data (`[1, 'a', None]`); other objects as `<Name object>`. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === "string") return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isDict(v)) {
    return `{${Object.entries(v).map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  }
  if (typeof v === "function") return `<function ${v.name || "<lambda>"}>`;
  return `<${(v as object).constructor?.name ?? "object"} object>`;
}

/** Lightning's `_flatten_dict(params, "/")` then `_sanitize_params`. */
export function flattenHparams(
  params: Readonly<Record<string, unknown>>,
  parent = "",
  out: Record<string, HparamValue> = {},
): Record<string, HparamValue> {
  for (const [k, v] of Object.entries(params)) {
    const key = parent ? `${parent}/${k}` : k;
    if (isDict(v)) flattenHparams(v, key, out);
    else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[key] = v;
    else out[key] = pyRepr(v);
  }
  return out;
}

const DATA_TYPE_STRING = 1, DATA_TYPE_FLOAT64 = 3, STATUS_SUCCESS = 1;

/** `google.protobuf.Value`: a oneof, so its field is written even when it holds 0 or "". */
function protoValue(v: HparamValue): Uint8Array {
  const w = new ProtoWriter();
  // Python's `isinstance(True, int)`: torch stores a bool as number_value 1.0.
  return (typeof v === "string" ? w.string(3, v) : w.double(2, Number(v))).finish();
}

/** A summary holding `HParamsPluginData{version: 0, <field>: message}`. */
function pluginSummary(tag: string, field: number, message: Uint8Array): SummaryValue[] {
  const content = new ProtoWriter().bytes(field, message).finish();
  return [{ tag, metadata: { pluginName: "hparams", content } }];
}

/**
 * `torch.utils.tensorboard.summary.hparams(hparams, metrics)`: the experiment (each hparam's name
 * and type, each metric's tag), the session start (the values) and the session end (success).
 */
export function hparamsSummaries(
  hparams: Readonly<Record<string, HparamValue>>,
  metricTags: readonly string[],
): [experiment: SummaryValue[], sessionStart: SummaryValue[], sessionEnd: SummaryValue[]] {
  const experiment = new ProtoWriter();
  const start = new ProtoWriter();
  for (const [name, v] of Object.entries(hparams)) {
    const type = typeof v === "string" ? DATA_TYPE_STRING : DATA_TYPE_FLOAT64;
    experiment.bytes(4, new ProtoWriter().string(1, name).varint(4, type).finish());
    start.bytes(1, new ProtoWriter().string(1, name).bytes(2, protoValue(v)).finish());
  }
  for (const tag of metricTags) {
    experiment.bytes(
      5,
      new ProtoWriter().bytes(1, new ProtoWriter().string(2, tag).finish()).finish(),
    );
  }
  return [
    pluginSummary("_hparams_/experiment", 2, experiment.finish()),
    pluginSummary("_hparams_/session_start_info", 3, start.finish()),
    pluginSummary(
      "_hparams_/session_end_info",
      4,
      new ProtoWriter().varint(1, STATUS_SUCCESS).finish(),
    ),
  ];
}
