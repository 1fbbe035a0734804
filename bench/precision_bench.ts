/**
 * `precision: "16-mixed"` against float32: the training steps of bench/train_bench.ts (MLP and
 * CNN, Adam, loss read once per round) run as the Trainer runs them under each precision: plain,
 * or with the forward under `autocast` and the loss through a GradScaler (scale, unscale with the
 * overflow check, device-side skip, scale update). Interleaved rounds, one process, one adapter.
 *
 *   deno run -A bench/precision_bench.ts [--batches 64,512]
 *
 * @module
 */
import { autocast, deviceInfo, F, optim, randn, type Tensor, tensor, tidy } from "../mod.ts";
import { isRealGpu } from "./adapter.ts";
import { cnn, lumenTrainTiming, mlp, timeTraining, type TrainModel } from "./train_bench.ts";

/** samples/s of one model at one batch size, per precision. */
export interface PrecisionRow {
  model: TrainModel;
  batch: number;
  float32: number;
  mixed16: number;
}

/** One precision's step on a fresh model (same seed-free shapes for both arms). */
function stepper(model: TrainModel, batch: number, mixed: boolean): {
  step: () => Tensor;
  free: () => void;
} {
  const net = model === "mlp" ? mlp() : cnn();
  const x = randn([batch, 1, 28, 28]);
  const y = tensor(Int32Array.from({ length: batch }, (_, i) => i % 10));
  const opt = new optim.Adam({ params: net.parameters(), lr: 1e-3 });
  const scaler = mixed ? new optim.GradScaler() : null;
  net.train();
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      if (!scaler) {
        const loss = F.crossEntropy(net.call(x), y);
        loss.backward();
        opt.step();
        return loss;
      }
      const loss = F.crossEntropy(autocast(() => net.call(x)), y);
      scaler.scale(loss).backward();
      scaler.step(opt);
      scaler.update();
      return loss;
    });
  const free = () => {
    x.dispose();
    y.dispose();
    for (const p of net.parameters()) p.dispose();
  };
  return { step, free };
}

/** Times both precisions, alternating arms over `pairs` repeats; medians of each. */
export async function benchPrecision(
  batches: readonly number[] = [64, 512],
  pairs = 3,
): Promise<PrecisionRow[]> {
  const gpu = isRealGpu(deviceInfo().description);
  const rows: PrecisionRow[] = [];
  for (const model of ["mlp", "cnn"] as const) {
    for (const batch of batches) {
      const timing = { ...lumenTrainTiming(model, batch, gpu), syncSteps: 0 };
      const figures: Record<"f32" | "f16", number[]> = { f32: [], f16: [] };
      for (let r = 0; r < pairs; r++) {
        for (const arm of ["f32", "f16"] as const) {
          const { step, free } = stepper(model, batch, arm === "f16");
          const [perRound] = await timeTraining(
            step,
            (l) => l.item(),
            (l) => l.dispose(),
            timing,
            batch,
          );
          free();
          figures[arm].push(perRound);
        }
      }
      const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
      rows.push({ model, batch, float32: med(figures.f32), mixed16: med(figures.f16) });
    }
  }
  return rows;
}

/** The rows as a markdown table. */
export function precisionTable(rows: readonly PrecisionRow[]): string {
  const lines = [
    "| model | batch | 32-true samples/s | 16-mixed samples/s | 16-mixed / 32 |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model} | ${r.batch} | ${r.float32.toFixed(0)} | ${r.mixed16.toFixed(0)} | ${
        (r.mixed16 / r.float32).toFixed(2)
      } |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const arg = Deno.args.indexOf("--batches");
  const batches = arg >= 0 ? Deno.args[arg + 1].split(",").map(Number) : [64, 512];
  if (!deviceInfo().shaderF16) {
    console.log(`adapter ${deviceInfo().description} lacks shader-f16: 16-mixed cannot run`);
  } else {
    console.log(`# 16-mixed vs 32 (${deviceInfo().description})\n`);
    console.log(precisionTable(await benchPrecision(batches)));
  }
}
