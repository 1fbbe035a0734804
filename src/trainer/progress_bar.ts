/**
 * `ProgressBar`: the trainer's progress output on stderr, in the shape of Lightning's tqdm bar
 * (`Epoch 0:  40%|████      | 2/5 [00:01<00:01,  2.00it/s, train/loss/step=0.534]`). On a
 * terminal it is one live line, redrawn at most ten times a second; otherwise (a log file, CI)
 * it prints plain lines, about one per tenth of an epoch and one at each epoch end. It reads only
 * `trainer.callbackMetrics` (numbers already read back), never device values.
 *
 * Written for lumen (no dependency): npm progress-bar packages write to Node streams and size
 * themselves from the TTY, which a fake writer in tests and Deno's stderr do not give them.
 *
 * @module
 */
import type { StepOutput, System } from "../system/system.ts";
import { Callback } from "./callbacks/callback.ts";
import { checkInt } from "./callbacks/checks.ts";
import { pyFormat, pyStr } from "./callbacks/python_compat.ts";
import type { Stage, TrainerView } from "./trainer_view.ts";
import { checkOptions } from "../util/options.ts";

/** Where progress goes: a text sink that knows whether it is a terminal. */
export interface ProgressWriter {
  /** Writes `text` as is (no newline added). */
  write(text: string): void;
  /** True for a terminal: one line redrawn in place; false: plain lines. */
  readonly isTerminal: boolean;
  /** The terminal's width, when known (lines are cut to fit). */
  readonly columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** On a terminal, redraw every n batches at most (default 1; the line is also limited to 10 redraws a second). */
  refreshRate?: number;
  /** Where to write (default: stderr). */
  writer?: ProgressWriter;
  /** Milliseconds, for rates and ETAs (default `performance.now`). */
  clock?: () => number;
}

const OPTION_NAMES = ["refreshRate", "writer", "clock"] as const satisfies readonly (
  keyof ProgressBarOptions
)[];

const encoder = new TextEncoder();

/** stderr as a ProgressWriter. */
export const stderrWriter: ProgressWriter = {
  write(text: string): void {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  },
  get isTerminal(): boolean {
    return Deno.stderr.isTerminal();
  },
  get columns(): number | undefined {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return undefined;
    }
  },
};

/** tqdm's `format_interval`: `MM:SS`, or `H:MM:SS` past an hour. */
export function formatInterval(seconds: number): string {
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** tqdm's `format_num`: `{:.3g}` (exponent without a leading zero) unless `str()` is shorter. */
export function formatNum(x: number): string {
  const g = pyFormat({ value: x, isInt: false }, ".3g").replaceAll("+0", "+").replaceAll("-0", "-");
  const s = pyStr({ value: x, isInt: false });
  return g.length < s.length ? g : s;
}

const BLOCKS = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

function bar(fraction: number, width: number): string {
  const eighths = Math.floor(Math.min(1, Math.max(0, fraction)) * width * 8);
  const full = Math.floor(eighths / 8), part = eighths % 8;
  let out = "█".repeat(full);
  if (full < width) out += (part ? BLOCKS[part] : " ") + " ".repeat(width - full - 1);
  return out;
}

/** One progress line being counted: a phase (`Epoch 3`, `Validation`), its count and total. */
interface Phase {
  label: string;
  total: number;
  done: number;
  /** Batches already done when this phase started counting (a resumed epoch). */
  skipped: number;
  start: number;
  lastDraw: number;
  lastPlain: number;
  /** Off a terminal, print periodic lines (not for validation inside a fit or the sanity check). */
  plain: boolean;
}

/**
 * Lightning-style progress on stderr: a live line on a terminal, plain lines elsewhere. The
 * trainer adds it (`enable_progress_bar`); pass a `writer` to send the lines elsewhere.
 */
export class ProgressBar extends Callback {
  /** Redraw every n batches at most (terminal). */
  readonly refreshRate: number;
  #writer: ProgressWriter;
  #clock: () => number;
  #train: Phase | undefined;
  #eval: Phase | undefined;
  /** A live line is on screen (terminal) and needs a newline or a clear before other output. */
  #live = false;

  /** Checks the options. */
  constructor(options: ProgressBarOptions = {}) {
    super();
    checkOptions("ProgressBar", options, OPTION_NAMES);
    this.refreshRate = checkInt("ProgressBar", "refreshRate", options.refreshRate ?? 1, 1);
    this.#writer = options.writer ?? stderrWriter;
    this.#clock = options.clock ?? (() => performance.now());
  }

  // ---- training ------------------------------------------------------------------------------

  /** Starts the epoch's line. */
  override onTrainEpochStart(trainer: TrainerView, _system: System): void {
    this.#train = this.#phase(`Epoch ${trainer.currentEpoch}`, trainer.numTrainingBatches);
  }

  /** Counts a batch; redraws (terminal) or prints a line every tenth of the epoch. */
  override onTrainBatchEnd(
    trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    batchIdx: number,
  ): void {
    const p = this.#train ??= this.#phase(
      `Epoch ${trainer.currentEpoch}`,
      trainer.numTrainingBatches,
    );
    if (p.done === 0 && p.skipped === 0 && batchIdx > 0) p.skipped = batchIdx;
    p.done = batchIdx + 1;
    this.#progress(p, this.#trainPostfix(trainer, false));
  }

  /** Ends the epoch's line with its epoch values (train and validation). */
  override onTrainEpochEnd(trainer: TrainerView, _system: System): void {
    const p = this.#train;
    if (!p) return;
    this.#finish(p, this.#trainPostfix(trainer, true));
    this.#train = undefined;
  }

  /** Closes a line left open. */
  override onTrainEnd(_trainer: TrainerView, _system: System): void {
    this.#closeLive();
  }

  // ---- evaluation ----------------------------------------------------------------------------

  /** Starts the sanity-check line. */
  override onSanityCheckStart(_trainer: TrainerView, _system: System): void {
    this.#eval = this.#phase("Sanity Checking", Infinity, false);
  }

  /** Clears the sanity-check line. */
  override onSanityCheckEnd(_trainer: TrainerView, _system: System): void {
    this.#endEval(false, "");
  }

  /** Starts a validation line. */
  override onValidationStart(trainer: TrainerView, _system: System): void {
    if (trainer.sanityChecking) {
      this.#eval ??= this.#phase("Sanity Checking", Infinity, false);
      return;
    }
    this.#eval = this.#phase("Validation", trainer.numValBatches, trainer.stage !== "fit");
  }

  /** Counts a validation batch. */
  override onValidationBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): void {
    this.#evalBatch();
  }

  /** In fit, clears the validation line (the epoch line shows its values); alone, ends it. */
  override onValidationEnd(trainer: TrainerView, _system: System): void {
    if (trainer.sanityChecking) return;
    const alone = trainer.stage !== "fit";
    this.#endEval(alone, alone ? this.#epochPostfix(trainer, "val/") : "");
    // Back to the training line.
    if (!alone && this.#train && this.#writer.isTerminal) {
      this.#draw(this.#train, this.#trainPostfix(trainer, false));
    }
  }

  /** Starts the test line. */
  override onTestStart(_trainer: TrainerView, _system: System): void {
    this.#eval = this.#phase("Testing", Infinity);
  }

  /** Counts a test batch. */
  override onTestBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): void {
    this.#evalBatch();
  }

  /** Ends the test line with the test epoch values. */
  override onTestEnd(trainer: TrainerView, _system: System): void {
    this.#endEval(true, this.#epochPostfix(trainer, "test/"));
  }

  /** Starts the predict line. */
  override onPredictStart(_trainer: TrainerView, _system: System): void {
    this.#eval = this.#phase("Predicting", Infinity);
  }

  /** Counts a predict batch. */
  override onPredictBatchEnd(
    _trainer: TrainerView,
    _system: System,
    _outputs: StepOutput,
    _batch: unknown,
    _batchIdx: number,
  ): void {
    this.#evalBatch();
  }

  /** Ends the predict line. */
  override onPredictEnd(_trainer: TrainerView, _system: System): void {
    this.#endEval(true, "");
  }

  /** Closes a line left open so the error starts on its own line. */
  override onException(_trainer: TrainerView, _system: System, _error: unknown): void {
    this.#closeLive();
  }

  /** Closes a line left open. */
  override teardown(_trainer: TrainerView, _system: System, _stage: Stage): void {
    this.#closeLive();
  }

  // ---- drawing -------------------------------------------------------------------------------

  #phase(label: string, total: number, plain = true): Phase {
    const now = this.#clock();
    return {
      label,
      total,
      done: 0,
      skipped: 0,
      start: now,
      lastDraw: -Infinity,
      lastPlain: 0,
      plain,
    };
  }

  #evalBatch(): void {
    const p = this.#eval;
    if (!p) return;
    p.done++;
    this.#progress(p, "");
  }

  #endEval(keep: boolean, postfix: string): void {
    const p = this.#eval;
    this.#eval = undefined;
    if (!p) return;
    if (keep) this.#finish(p, postfix);
    else if (this.#live) {
      this.#writer.write("\r\x1b[2K");
      this.#live = false;
    }
  }

  /** Mid-phase output: a redraw on a terminal, a plain line every tenth elsewhere. */
  #progress(p: Phase, postfix: string): void {
    if (this.#writer.isTerminal) {
      const now = this.#clock();
      const last = p.done >= p.total;
      if (!last && (p.done % this.refreshRate !== 0 || now - p.lastDraw < 100)) return;
      p.lastDraw = now;
      this.#draw(p, postfix);
      return;
    }
    if (!p.plain) return;
    const every = Number.isFinite(p.total) ? Math.max(1, Math.ceil(p.total / 10)) : 100;
    const mark = Math.floor(p.done / every);
    if (p.done < p.total && mark > p.lastPlain) {
      p.lastPlain = mark;
      this.#writer.write(this.#line(p, postfix, false) + "\n");
    }
  }

  #draw(p: Phase, postfix: string): void {
    let text = this.#line(p, postfix, true);
    const width = this.#writer.columns;
    if (width !== undefined && width > 1 && text.length > width - 1) {
      text = text.slice(0, width - 1);
    }
    this.#writer.write("\r\x1b[2K" + text);
    this.#live = true;
  }

  #finish(p: Phase, postfix: string): void {
    if (this.#writer.isTerminal) {
      this.#draw(p, postfix);
      this.#writer.write("\n");
      this.#live = false;
    } else {
      this.#writer.write(this.#line(p, postfix, false) + "\n");
    }
  }

  #closeLive(): void {
    if (this.#live) {
      this.#writer.write("\n");
      this.#live = false;
    }
  }

  /** `Epoch 0:  40%|████      | 2/5 [00:01<00:01,  2.00it/s, key=value]` (no bar off a terminal). */
  #line(p: Phase, postfix: string, withBar: boolean): string {
    const elapsed = Math.max(0, (this.#clock() - p.start) / 1000);
    const counted = p.done - p.skipped;
    const rate = elapsed > 0 && counted > 0 ? counted / elapsed : undefined;
    const rateText = rate === undefined
      ? "?it/s"
      : rate >= 1 || rate === 0
      ? `${rate.toFixed(2).padStart(5)}it/s`
      : `${(1 / rate).toFixed(2).padStart(5)}s/it`;
    if (!Number.isFinite(p.total) || p.total <= 0) {
      return `${p.label}: ${p.done} [${formatInterval(elapsed)}, ${rateText}${postfix}]`;
    }
    const fraction = Math.min(1, p.done / p.total);
    const pct = `${pyFormat({ value: fraction * 100, isInt: false }, "3.0f")}%`;
    const eta = rate === undefined ? "?" : formatInterval((p.total - p.done) / rate);
    const counts = `${p.done}/${p.total} [${
      formatInterval(elapsed)
    }<${eta}, ${rateText}${postfix}]`;
    return withBar
      ? `${p.label}: ${pct}|${bar(fraction, 20)}| ${counts}`
      : `${p.label}: ${pct} ${counts}`;
  }

  /** The last step loss, and at the epoch end every train and val epoch value. */
  #trainPostfix(trainer: TrainerView, epochEnd: boolean): string {
    const m = trainer.callbackMetrics;
    let out = "";
    const step = m["train/loss/step"];
    if (step !== undefined) out += `, train/loss/step=${formatNum(step)}`;
    if (epochEnd) {
      out += this.#epochPostfix(trainer, "train/") + this.#epochPostfix(trainer, "val/");
    }
    return out;
  }

  /** `, key=value` for each `<prefix>.../epoch` value, sorted by key. */
  #epochPostfix(trainer: TrainerView, prefix: string): string {
    const m = trainer.callbackMetrics;
    return Object.keys(m)
      .filter((k) => k.startsWith(prefix) && k.endsWith("/epoch"))
      .sort()
      .map((k) => `, ${k}=${formatNum(m[k])}`)
      .join("");
  }
}
