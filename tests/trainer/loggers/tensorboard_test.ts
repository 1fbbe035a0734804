/**
 * TensorBoardLogger and the event-file format. The oracle is a file written by TensorBoard's own
 * writer (/work/shared/fixtures/tensorboard_scalars.tfevents and its .json, copied to fixtures/).
 */
import assert from "node:assert/strict";
import { Config, loggers, Trainer } from "../../../mod.ts";
import { TensorBoardLogger } from "../../../src/trainer/loggers/mod.ts";
import { crc32c, maskedCrc32c } from "../../../src/io/crc32c.ts";
import {
  eventRecord,
  type EventToWrite,
  FILE_VERSION,
  parseEvents,
  parseRecords,
  readEvents,
  type TfEvent,
  TfEventsError,
} from "../../../src/io/tfevents.ts";
import { decodeFields, type WireField } from "../../../src/io/protobuf_wire.ts";
import { tinySystem } from "../_tiny.ts";

const FIXTURE = new URL("./fixtures/tensorboard_scalars.tfevents", import.meta.url);
/** What the fixture holds: tag → [step, value] (values as Python floats, before float32). */
const expected: { scalars: Record<string, [number, number][]> } = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/tensorboard_scalars.json", import.meta.url)),
);
/** The `source_metadata.writer` TensorBoard puts on a file's first event. */
const TB_WRITER = "tensorboard.summary.writer.event_file_writer";
const utf8 = new TextEncoder();

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "lumen_tb_" });
}

/** tag → [step, value] pairs of the events, in file order. */
function series(events: TfEvent[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const e of events) {
    for (const [tag, v] of Object.entries(e.scalars)) (out[tag] ??= []).push([e.step, v]);
  }
  return out;
}

/** The fixture's json with values rounded to float32, as simple_value stores them. */
function expectedFloat32(): Record<string, [number, number][]> {
  return Object.fromEntries(
    Object.entries(expected.scalars).map(([tag, pts]) => [
      tag,
      pts.map(([s, v]) => [s, Math.fround(v)] as [number, number]),
    ]),
  );
}

Deno.test("readEvents reads TensorBoard's own event file as its json says", async () => {
  const events = await readEvents(FIXTURE);
  assert.equal(events[0].fileVersion, FILE_VERSION);
  assert.deepEqual(events[0].scalars, {});
  assert.ok(events.slice(1).every((e) => e.fileVersion === undefined));
  assert.deepEqual(series(events), expectedFloat32());
  // One scalar per event, as SummaryWriter.add_scalar writes them.
  assert.ok(events.slice(1).every((e) => Object.keys(e.scalars).length === 1));
  // Wall times are seconds since the epoch, in write order.
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].wallTime >= events[i - 1].wallTime && events[i].wallTime > 1.6e9);
  }
});

Deno.test("the same events written by lumen are TensorBoard's file byte for byte", async () => {
  const bytes = await Deno.readFile(FIXTURE);
  // Wall times come from the file; steps, tags and values from the json, in the file's order
  // (for each step: every tag in the json's order).
  const wallTimes = (await readEvents(FIXTURE)).map((e) => e.wallTime);
  const tags = Object.keys(expected.scalars);
  const written: EventToWrite[] = [
    { wallTime: wallTimes[0], fileVersion: "brain.Event:2", sourceWriter: TB_WRITER },
  ];
  const steps = expected.scalars[tags[0]].length;
  for (let i = 0; i < steps; i++) {
    for (const tag of tags) {
      const [step, value] = expected.scalars[tag][i];
      written.push({
        wallTime: wallTimes[written.length],
        step,
        summary: [{ tag, simpleValue: value }],
      });
    }
  }
  assert.equal(written.length, wallTimes.length);
  const records = parseRecords(bytes);
  for (let i = 0; i < written.length; i++) {
    const { offset, data } = records[i];
    const theirs = bytes.subarray(offset, offset + data.length + 16);
    assert.deepEqual(eventRecord(written[i]), theirs, `record ${i} at byte ${offset}`);
  }
  const ours = written.map(eventRecord);
  assert.equal(ours.reduce((n, r) => n + r.length, 0), bytes.length);
});

Deno.test("CRC-32C: known vectors and TensorBoard's masked length CRC", async () => {
  assert.equal(crc32c(utf8.encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  // RFC 3720 (iSCSI) B.4 test vectors.
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  // The fixture's first record: its length (8 bytes) and the masked CRC TensorBoard stored.
  const bytes = await Deno.readFile(FIXTURE);
  const stored = new DataView(bytes.buffer).getUint32(8, true);
  assert.equal(maskedCrc32c(bytes.subarray(0, 8)), stored);
});

Deno.test("a corrupted byte, a bad length or a truncated file is an error naming the offset", async () => {
  const bytes = await Deno.readFile(FIXTURE);
  const records = parseRecords(bytes);
  const third = records[2].offset;
  assert.ok(third > 0);

  const data = bytes.slice();
  data[third + 12 + 5] ^= 0x01; // inside record 2's data
  assert.throws(
    () => parseEvents(data, "x.tfevents"),
    (e: unknown) =>
      e instanceof TfEventsError && e.offset === third &&
      e.message.includes(`'x.tfevents': record at byte ${third}: data CRC mismatch`),
  );
  const crc = bytes.slice();
  crc[third + 12 + records[2].data.length] ^= 0x80; // the data CRC itself
  assert.throws(() => parseEvents(crc), new RegExp(`record at byte ${third}: data CRC mismatch`));
  const length = bytes.slice();
  length[third] ^= 0x02; // the length
  assert.throws(
    () => parseEvents(length),
    new RegExp(`record at byte ${third}: length CRC mismatch`),
  );
  const last = records.at(-1)!.offset;
  assert.throws(
    () => parseEvents(bytes.subarray(0, bytes.length - 3)),
    new RegExp(`record at byte ${last}: truncated`),
  );
  assert.throws(() => parseEvents(bytes.subarray(0, 5)), /record at byte 0: truncated header/);
  // readEvents names the file.
  const dir = tempDir();
  await Deno.writeFile(`${dir}/bad.tfevents`, data);
  await assert.rejects(
    () => readEvents(`${dir}/bad.tfevents`),
    new RegExp(`'${dir}/bad.tfevents': record at byte ${third}: data CRC mismatch`),
  );
});

Deno.test("TensorBoardLogger: Lightning's layout and file name; logged values read back", async () => {
  const saveDir = tempDir();
  const logger = new TensorBoardLogger({ saveDir });
  assert.equal(logger.eventFiles.length, 0);
  const before = Math.floor(Date.now() / 1000);
  const calls: [Record<string, number>, number][] = [
    [{ "train/loss/step": 1.4634126424789429, epoch: 0 }, 0],
    [{ "train/loss/step": 0.1 }, 1],
    [{ "val/loss/step": 1.0641911029815674 }, 0],
    [{ "val/loss/epoch": -2.5, "train/loss/epoch": 3e38, epoch: 1 }, 7],
    [{ x: NaN, y: -Infinity }, 123456789012],
  ];
  for (const [m, step] of calls) logger.logMetrics(m, step);
  await logger.save();
  assert.equal(logger.logDir, `${saveDir}/lightning_logs/version_0`);
  assert.equal(logger.eventFiles.length, 1);
  const file = logger.eventFiles[0];
  const match = /^events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)$/.exec(
    file.slice(logger.logDir.length + 1),
  );
  assert.ok(match, file);
  assert.ok(Number(match[1]) >= before && Number(match[1]) <= Date.now() / 1000 + 1);
  assert.equal(match[2], Deno.hostname());
  assert.equal(Number(match[3]), Deno.pid);

  // Readable before finalize (records are written as they come).
  const events = await readEvents(file);
  assert.equal(events[0].fileVersion, "brain.Event:2");
  const got = events.slice(1).map((e) => [e.scalars, e.step]);
  const want = calls.flatMap(([m, step]) =>
    Object.entries(m).map(([k, v]) => [{ [k]: Math.fround(v) }, step])
  );
  assert.deepEqual(got, want);
  for (const e of events) assert.ok(Math.abs(e.wallTime - Date.now() / 1000) < 60);
  await logger.finalize("success");
  assert.deepEqual([...Deno.readDirSync(logger.logDir)].map((e) => e.name), [
    file.split("/").at(-1),
  ]);
});

Deno.test("TensorBoardLogger: prefix, version numbering, name, version and subDir", async () => {
  const saveDir = tempDir();
  const pre = new TensorBoardLogger({ saveDir, name: "exp", prefix: "run" });
  pre.logMetrics({ "train/loss/step": 0.75, epoch: 3 }, 9);
  await pre.finalize("success");
  const [, event] = await readEvents(pre.eventFiles[0]);
  assert.equal(pre.eventFiles.length, 1);
  assert.deepEqual((await readEvents(pre.eventFiles[0])).slice(1).map((e) => e.scalars), [
    { "run-train/loss/step": 0.75 },
    { "run-epoch": 3 },
  ]);
  assert.equal(event.step, 9);

  // As CSVLogger (and Lightning): one more than the highest version_N folder.
  for (const d of ["version_2", "version_x", "other"]) {
    await Deno.mkdir(`${saveDir}/exp/${d}`, { recursive: true });
  }
  await Deno.writeTextFile(`${saveDir}/exp/version_9`, "a file, not a folder");
  assert.equal(new TensorBoardLogger({ saveDir, name: "exp" }).version, 3);
  assert.equal(new TensorBoardLogger({ saveDir }).version, 0);
  assert.equal(
    new TensorBoardLogger({ saveDir, version: "v1" }).logDir,
    `${saveDir}/lightning_logs/v1`,
  );
  assert.equal(new TensorBoardLogger({ saveDir, name: "" }).logDir, `${saveDir}/version_0`);
  assert.equal(
    new TensorBoardLogger({ saveDir, name: null, version: 4, subDir: "train" }).logDir,
    `${saveDir}/version_4/train`,
  );
});

Deno.test("TensorBoardLogger: logging after finalize opens a new event file", async () => {
  const saveDir = tempDir();
  const logger = new TensorBoardLogger({ saveDir, version: 0 });
  logger.logMetrics({ a: 1 }, 0);
  await logger.finalize("success");
  logger.logMetrics({ a: 2 }, 1);
  await logger.finalize("success");
  const [first, second] = logger.eventFiles;
  assert.equal(logger.eventFiles.length, 2);
  assert.ok(Number(first.split(".").at(-1)) < Number(second.split(".").at(-1)));
  const a = await readEvents(first), b = await readEvents(second);
  assert.deepEqual([a.length, a[0].fileVersion, a[1].scalars], [2, FILE_VERSION, { a: 1 }]);
  assert.deepEqual([b.length, b[0].fileVersion, b[1].scalars], [2, FILE_VERSION, { a: 2 }]);
});

/** The fields numbered `n` of a message. */
function fieldsOf(bytes: Uint8Array, n: number): WireField[] {
  return decodeFields(bytes).filter((f) => f.field === n);
}

function bytesOf(f: WireField): Uint8Array {
  assert.equal(f.wireType, 2);
  return (f as { data: Uint8Array }).data;
}

const text = (f: WireField) => new TextDecoder().decode(bytesOf(f));

function only(bytes: Uint8Array, n: number): WireField {
  const fs = fieldsOf(bytes, n);
  assert.equal(fs.length, 1, `one field ${n}`);
  return fs[0];
}

/** The hparams plugin summaries of the file: tag → HParamsPluginData bytes. */
function pluginContents(bytes: Uint8Array): [string, string, Uint8Array][] {
  const out: [string, string, Uint8Array][] = [];
  for (const { data } of parseRecords(bytes)) {
    for (const summary of fieldsOf(data, 5)) {
      for (const value of fieldsOf(bytesOf(summary), 1)) {
        const v = bytesOf(value);
        const meta = fieldsOf(v, 9);
        if (meta.length === 0) continue;
        const plugin = bytesOf(only(bytesOf(meta[0]), 1));
        out.push([text(only(v, 1)), text(only(plugin, 1)), bytesOf(only(plugin, 2))]);
      }
    }
  }
  return out;
}

Deno.test("TensorBoardLogger: logHyperparams writes hparams.yaml, hp_metric and the hparams plugin's summaries", async () => {
  const saveDir = tempDir();
  const logger = new TensorBoardLogger({ saveDir });
  const params = {
    lr: 0.1,
    model: { hidden: 16, act: "relu", layers: [8, "x", null, 1.5, true], empty: {} },
    debug: true,
    tag: "",
    note: null,
  };
  await logger.logHyperparams(params);
  await logger.finalize("success");
  // hparams.yaml as CSVLogger (PyYAML's dump, tested there against PyYAML).
  const csv = new loggers.CSVLogger({ saveDir: tempDir() });
  await csv.logHyperparams(params);
  assert.equal(
    await Deno.readTextFile(`${logger.logDir}/hparams.yaml`),
    await Deno.readTextFile(`${csv.logDir}/hparams.yaml`),
  );
  const bytes = await Deno.readFile(logger.eventFiles[0]);
  const events = parseEvents(bytes);
  // Lightning: log_metrics({"hp_metric": -1}, 0), then the experiment, session start and end.
  assert.deepEqual(events.map((e) => [e.step, e.scalars]), [
    [0, {}],
    [0, { hp_metric: -1 }],
    [0, {}],
    [0, {}],
    [0, {}],
  ]);
  const plugins = pluginContents(bytes);
  assert.deepEqual(plugins.map(([tag, name]) => [tag, name]), [
    ["_hparams_/experiment", "hparams"],
    ["_hparams_/session_start_info", "hparams"],
    ["_hparams_/session_end_info", "hparams"],
  ]);
  const [[, , exp], [, , start], [, , end]] = plugins;
  // HParamsPluginData: version 0 (left out), then the oneof (2, 3 or 4).
  assert.deepEqual(decodeFields(exp).map((f) => f.field), [2]);
  assert.deepEqual(decodeFields(start).map((f) => f.field), [3]);
  // session_end_info {status: STATUS_SUCCESS (1)}.
  assert.deepEqual(end, Uint8Array.from([0x22, 0x02, 0x08, 0x01]));

  // Experiment.hparam_infos (4): name (1), type (4): DATA_TYPE_STRING 1, DATA_TYPE_FLOAT64 3.
  // Lightning flattens with "/" and turns None and lists into Python's str(); torch's hparams()
  // takes a bool as a number (isinstance(True, int)).
  const experiment = bytesOf(only(exp, 2));
  const infos = fieldsOf(experiment, 4).map((f) => {
    const info = bytesOf(f);
    const type = only(info, 4) as { varint: bigint };
    return [text(only(info, 1)), Number(type.varint)];
  });
  assert.deepEqual(infos, [
    ["lr", 3],
    ["model/hidden", 3],
    ["model/act", 1],
    ["model/layers", 1],
    ["debug", 3],
    ["tag", 1],
    ["note", 1],
  ]);
  // metric_infos (5): MetricName (1) {tag (2)}.
  const metrics = fieldsOf(experiment, 5).map((f) => text(only(bytesOf(only(bytesOf(f), 1)), 2)));
  assert.deepEqual(metrics, ["hp_metric"]);

  // SessionStartInfo.hparams (1): map entries {key 1, google.protobuf.Value 2}; Value's oneof
  // number_value (2, double) / string_value (3) is written even when 0 or "".
  const values = fieldsOf(bytesOf(only(start, 3)), 1).map((f) => {
    const entry = bytesOf(f);
    const value = decodeFields(bytesOf(only(entry, 2)));
    assert.equal(value.length, 1);
    const v = value[0];
    let decoded: number | string;
    if (v.field === 2) {
      assert.equal(v.wireType, 1, "number_value is a double");
      const data = (v as { data: Uint8Array }).data;
      decoded = new DataView(data.buffer, data.byteOffset, 8).getFloat64(0, true);
    } else decoded = text(v);
    return [text(only(entry, 1)), v.field, decoded];
  });
  assert.deepEqual(values, [
    ["lr", 2, 0.1],
    ["model/hidden", 2, 16],
    ["model/act", 3, "relu"],
    ["model/layers", 3, "[8, 'x', None, 1.5, True]"],
    ["debug", 2, 1],
    ["tag", 3, ""],
    ["note", 3, "None"],
  ]);
});

Deno.test("TensorBoardLogger: defaultHpMetric false writes only hparams.yaml", async () => {
  const saveDir = tempDir();
  const logger = new TensorBoardLogger({ saveDir, defaultHpMetric: false });
  await logger.logHyperparams({ batch_size: 8, lr: 0.1 });
  await logger.finalize("success");
  assert.equal(logger.eventFiles.length, 0);
  assert.deepEqual([...Deno.readDirSync(logger.logDir)].map((e) => e.name), ["hparams.yaml"]);
  assert.equal(
    await Deno.readTextFile(`${logger.logDir}/hparams.yaml`),
    "batch_size: 8\nlr: 0.1\n",
  );
});

Deno.test("TensorBoardLogger: bad options and values name the class and the option", () => {
  const saveDir = tempDir();
  assert.throws(
    () => new TensorBoardLogger({ saveDir, logGraph: true } as never),
    /TensorBoardLogger has no option 'logGraph'/,
  );
  assert.throws(
    () => new TensorBoardLogger({ save_dir: saveDir } as never),
    /TensorBoardLogger has no option 'save_dir'. Did you mean 'saveDir'/,
  );
  assert.throws(() => new TensorBoardLogger({} as never), /'saveDir' is required/);
  assert.throws(
    () => new TensorBoardLogger({ saveDir, name: 3 } as never),
    /TensorBoardLogger: 'name' must be a string, got 3/,
  );
  assert.throws(
    () => new TensorBoardLogger({ saveDir, version: -1 }),
    /TensorBoardLogger: 'version' must be an integer >= 0, got -1/,
  );
  assert.throws(
    () => new TensorBoardLogger({ saveDir, defaultHpMetric: "yes" } as never),
    /TensorBoardLogger: 'defaultHpMetric' must be true or false/,
  );
  const logger = new TensorBoardLogger({ saveDir });
  assert.throws(
    () => logger.logMetrics({ a: "1" } as never, 0),
    /TensorBoardLogger: metric 'a' must be a number, got string/,
  );
  assert.throws(() => logger.logMetrics({ a: 1 }, 1.5), /'step' must be an integer, got 1.5/);
  // Nothing was written by the rejected calls.
  assert.equal(logger.eventFiles.length, 0);
});

Deno.test("TensorBoardLogger from a config: _target_, save_dir and a name override", async () => {
  const saveDir = tempDir();
  const config = await Config.load(
    {
      trainer: {
        logger: { _target_: "lumen.loggers.TensorBoardLogger", save_dir: saveDir, name: "base" },
      },
    },
    ['trainer::logger::name="lr_0.1"'],
  );
  const logger = config.resolve("trainer::logger");
  assert.ok(logger instanceof TensorBoardLogger);
  assert.equal(logger.name, "lr_0.1");
  assert.equal(logger.logDir, `${saveDir}/lr_0.1/version_0`);
});

/** (key, step, value) of every non-empty metrics.csv cell but `step`, sorted. */
function csvTriples(csv: string): [string, number, number][] {
  const [header, ...rows] = csv.trim().split("\n");
  const keys = header.split(",");
  const stepAt = keys.indexOf("step");
  const out: [string, number, number][] = [];
  for (const row of rows) {
    const cells = row.split(",");
    cells.forEach((c, i) => {
      if (i !== stepAt && c !== "") out.push([keys[i], Number(cells[stepAt]), Number(c)]);
    });
  }
  return out.sort();
}

Deno.test("a fit with logger [csv, tensorboard] writes the same values to both", async () => {
  const root = tempDir();
  const csv = new loggers.CSVLogger({ saveDir: root });
  const tb = new loggers.TensorBoardLogger({ saveDir: root, name: "tb" });
  const trainer = new Trainer({
    maxEpochs: 2,
    logEveryNSteps: 1,
    defaultRootDir: root,
    enableProgressBar: false,
    enableCheckpointing: false,
    logger: [csv, tb],
  });
  await trainer.fit(await tinySystem({ lr: 0.1, momentum: 0 }));
  assert.equal(csv.logDir, `${root}/lightning_logs/version_0`);
  assert.equal(tb.logDir, `${root}/tb/version_0`);
  assert.equal(tb.eventFiles.length, 1);
  const events = await readEvents(tb.eventFiles[0]);
  const fromTb: [string, number, number][] = events.slice(1).flatMap((e) =>
    Object.entries(e.scalars).map(([k, v]) => [k, e.step, v] as [string, number, number])
  ).sort();
  // simple_value is a float32: epoch means and the learning rate (doubles) are rounded to it.
  const fromCsv = csvTriples(await Deno.readTextFile(csv.metricsFile))
    .map(([k, step, v]) => [k, step, Math.fround(v)] as [string, number, number]);
  assert.deepEqual(fromTb, fromCsv);
  const keys = new Set(fromTb.map(([k]) => k));
  for (const k of ["train/loss/step", "train/loss/epoch", "val/loss/epoch", "epoch"]) {
    assert.ok(keys.has(k), `${k} logged`);
  }
  // 5 train steps per epoch, 2 epochs, every step logged.
  assert.equal(fromTb.filter(([k]) => k === "train/loss/step").length, 10);
  assert.deepEqual(
    fromTb.filter(([k]) => k === "train/loss/epoch").map(([, step]) => step),
    [4, 9],
  );
});

Deno.test("TensorBoardLogger under --allow-read --allow-write=<dir> (no --allow-sys) names the host", async () => {
  const dir = tempDir();
  const script = `${dir}/log.ts`;
  const module = new URL("../../../src/trainer/loggers/tensorboard_logger.ts", import.meta.url);
  await Deno.writeTextFile(
    script,
    `import { TensorBoardLogger } from "${module.href}";\n` +
      `const logger = new TensorBoardLogger({ saveDir: Deno.args[0] });\n` +
      `logger.logMetrics({ a: 1 }, 0);\nawait logger.finalize("success");\n` +
      `console.log(logger.eventFiles[0]);\n`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", `--allow-write=${dir}`, script, dir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const file = new TextDecoder().decode(out.stdout).trim();
  assert.ok(file.includes(`.${Deno.hostname()}.`), file);
  assert.deepEqual((await readEvents(file)).map((e) => e.scalars), [{}, { a: 1 }]);
});
