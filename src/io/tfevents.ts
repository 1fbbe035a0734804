/**
 * TensorBoard event files (`events.out.tfevents.*`): TFRecord framing of serialized `Event`
 * protocol buffers, written and read by hand.
 *
 * A record is: uint64 length (little-endian), the masked CRC-32C of those 8 bytes, the data, the
 * masked CRC-32C of the data. The messages, with the fields lumen uses:
 * `Event {double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
 * SourceMetadata source_metadata = 10}`, `SourceMetadata {string writer = 1}`,
 * `Summary {repeated Value value = 1}`,
 * `Summary.Value {string tag = 1; float simple_value = 2; SummaryMetadata metadata = 9}`,
 * `SummaryMetadata {PluginData plugin_data = 1}`, `PluginData {string plugin_name = 1; bytes content = 2}`.
 * Fields are written in field-number order and proto3 defaults are left out, as protobuf does.
 *
 * @module
 */
import { maskedCrc32c } from "./crc32c.ts";
import {
  decodeFields,
  ProtoWriter,
  wireBytes,
  wireDouble,
  wireFloat,
  wireInt,
  wireString,
} from "./protobuf_wire.ts";

/** The `file_version` of the first event of every file TensorBoard writes. */
export const FILE_VERSION = "brain.Event:2";

/** A plugin's data on a summary value (`SummaryMetadata.plugin_data`). */
export interface PluginData {
  /** The plugin, e.g. "hparams". */
  pluginName: string;
  /** Its content: usually a serialized protocol buffer of the plugin's own. */
  content?: Uint8Array;
}

/** One `Summary.Value` to write. */
export interface SummaryValue {
  /** The series name. */
  tag: string;
  /** A scalar, stored as float32. */
  simpleValue?: number;
  /** Plugin metadata (the hparams plugin's summaries carry only this). */
  metadata?: PluginData;
}

/** One `Event` to write. */
export interface EventToWrite {
  /** Seconds since the epoch. */
  wallTime: number;
  /** The step (0 is left out, as protobuf leaves out defaults). */
  step?: number;
  /** `brain.Event:2` on a file's first event. */
  fileVersion?: string;
  /** The summary values. */
  summary?: readonly SummaryValue[];
  /** `source_metadata.writer`: the program that wrote the file (on the first event). */
  sourceWriter?: string;
}

/** One event as read back: its time, step, file version and scalar values by tag. */
export interface TfEvent {
  /** Seconds since the epoch. */
  wallTime: number;
  /** The step (0 when the event has none). */
  step: number;
  /** Set on the file-version event. */
  fileVersion?: string;
  /** The `simple_value`s of the event's summary, by tag ({} when it has none). */
  scalars: Record<string, number>;
}

/** A TensorBoard event file that cannot be read; the message names the file and the byte offset. */
export class TfEventsError extends Error {
  /** The byte offset of the faulty record. */
  readonly offset: number;
  /** `source` is the file (or "<bytes>"), `offset` the record's first byte. */
  constructor(source: string, offset: number, problem: string) {
    super(`TensorBoard event file '${source}': record at byte ${offset}: ${problem}`);
    this.name = "TfEventsError";
    this.offset = offset;
  }
}

function encodeValue(v: SummaryValue): Uint8Array {
  const w = new ProtoWriter().string(1, v.tag);
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue);
  if (v.metadata) {
    const plugin = new ProtoWriter().string(1, v.metadata.pluginName);
    if (v.metadata.content?.length) plugin.bytes(2, v.metadata.content);
    w.bytes(9, new ProtoWriter().bytes(1, plugin.finish()).finish());
  }
  return w.finish();
}

/** The serialized `Event`. */
export function encodeEvent(event: EventToWrite): Uint8Array {
  const w = new ProtoWriter().double(1, event.wallTime);
  if (event.step) w.varint(2, BigInt(event.step));
  if (event.fileVersion) w.string(3, event.fileVersion);
  if (event.summary) {
    const summary = new ProtoWriter();
    for (const v of event.summary) summary.bytes(1, encodeValue(v));
    w.bytes(5, summary.finish());
  }
  if (event.sourceWriter) w.bytes(10, new ProtoWriter().string(1, event.sourceWriter).finish());
  return w.finish();
}

/** One TFRecord: length, masked CRC of the length, `data`, masked CRC of the data. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** The framed record of `event`, ready to append to an event file. */
export function eventRecord(event: EventToWrite): Uint8Array {
  return frameRecord(encodeEvent(event));
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/**
 * The data of every record in `bytes`, each with its offset; both CRCs are checked. Throws
 * {@link TfEventsError} naming the record's offset on a bad CRC or a truncated record.
 */
export function parseRecords(
  bytes: Uint8Array,
  source = "<bytes>",
): { offset: number; data: Uint8Array }[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { offset: number; data: Uint8Array }[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 12) {
      throw new TfEventsError(source, at, `truncated header (${bytes.length - at} of 12 bytes)`);
    }
    const length = dv.getBigUint64(at, true);
    const lengthCrc = dv.getUint32(at + 8, true),
      wantLength = maskedCrc32c(bytes.subarray(at, at + 8));
    if (lengthCrc !== wantLength) {
      throw new TfEventsError(
        source,
        at,
        `length CRC mismatch (stored ${hex(lengthCrc)}, computed ${hex(wantLength)})`,
      );
    }
    if (length > BigInt(bytes.length - at - 16)) {
      throw new TfEventsError(
        source,
        at,
        `truncated: ${length} data bytes + 4 CRC bytes, ${bytes.length - at - 12} left`,
      );
    }
    const n = Number(length);
    const data = bytes.subarray(at + 12, at + 12 + n);
    const dataCrc = dv.getUint32(at + 12 + n, true), wantData = maskedCrc32c(data);
    if (dataCrc !== wantData) {
      throw new TfEventsError(
        source,
        at,
        `data CRC mismatch (stored ${hex(dataCrc)}, computed ${hex(wantData)})`,
      );
    }
    out.push({ offset: at, data });
    at += n + 16;
  }
  return out;
}

/** Decodes one serialized `Event` (fields lumen does not read are skipped). */
export function decodeEvent(data: Uint8Array): TfEvent {
  const event: TfEvent = { wallTime: 0, step: 0, scalars: {} };
  for (const f of decodeFields(data, "Event")) {
    if (f.field === 1) event.wallTime = wireDouble(f);
    else if (f.field === 2) event.step = wireInt(f);
    else if (f.field === 3) event.fileVersion = wireString(f);
    else if (f.field === 5) {
      for (const s of decodeFields(wireBytes(f), "Summary")) {
        if (s.field !== 1) continue;
        let tag = "", value: number | undefined;
        for (const v of decodeFields(wireBytes(s), "Summary.Value")) {
          if (v.field === 1) tag = wireString(v);
          else if (v.field === 2) value = wireFloat(v);
        }
        if (value !== undefined) event.scalars[tag] = value;
      }
    }
  }
  return event;
}

/** The events in `bytes` (an event file's contents); CRCs checked, errors name the offset. */
export function parseEvents(bytes: Uint8Array, source = "<bytes>"): TfEvent[] {
  return parseRecords(bytes, source).map(({ offset, data }) => {
    try {
      return decodeEvent(data);
    } catch (e) {
      throw new TfEventsError(source, offset, (e as Error).message);
    }
  });
}

/** Reads a TensorBoard event file: every event, with both CRCs of every record checked. */
export async function readEvents(path: string | URL): Promise<TfEvent[]> {
  return parseEvents(await Deno.readFile(path), String(path));
}
