/**
 * Fusion (compile mode) against the plain ops, in one process on one adapter:
 *
 * - a chain of 8 elementwise ops on 1M float32 elements, plain (8 dispatches, 8 outputs written
 *   and read back in turn) and under `fused` (1 dispatch): ms per chain and dispatches per chain;
 * - training steps (SGD, batch 64, MSE) of two models, plain and `compile()`d: a stock
 *   MLP 784-256-256-10 with ReLU (Linear -> ReLU already runs as one kernel, so compile finds no
 *   chain) and a residual Swish MLP (`h = swish(fc1(x)); h = swish(h + 0.5 * fc2(h))`, swish
 *   x * sigmoid(x)), where chains are: dispatches per step and ms per step.
 *
 * Arms alternate within each round; figures are medians over the rounds. Each round records its
 * steps, then reads the last result back once (`await data()`), so the wait for the GPU counts.
 *
 *   deno run -A bench/fusion_bench.ts [--rounds 5] [--json out.json]
 *
 * @module
 */
import { deviceInfo, deviceStats, F, fused, nn, optim, randn, type Tensor, tidy } from "../mod.ts";
import { median } from "./matmul_bench.ts";

/** Elements of the chain's input. */
export const CHAIN_ELEMENTS = 1 << 20;

/** The 8 elementwise ops of the chain. */
function chain(x: Tensor): Tensor {
  return x.mul(1.5).add(0.25).tanh().mul(x).sub(0.125).sigmoid().mul(2).add(x);
}

/** One arm's figures: ms per unit (chain or step) and dispatches per unit. */
export interface FusionArm {
  ms: number;
  dispatches: number;
}

/** One row: what was run, plain and fused. */
export interface FusionRow {
  name: string;
  plain: FusionArm;
  fused: FusionArm;
}

/** Times `unit` run `count` times then one read of its last result; returns ms and dispatches. */
async function timeUnits(unit: () => Tensor, count: number): Promise<FusionArm> {
  const before = deviceStats().dispatches;
  const start = performance.now();
  let last: Tensor | null = null;
  for (let i = 0; i < count; i++) {
    last?.dispose();
    last = unit();
  }
  await last!.data();
  const ms = (performance.now() - start) / count;
  last!.dispose();
  return { ms, dispatches: (deviceStats().dispatches - before) / count };
}

/** Alternates the two arms for `rounds` rounds after one warm-up each; medians per arm. */
async function interleave(
  name: string,
  arms: { plain: () => Tensor; fused: () => Tensor },
  count: number,
  rounds: number,
): Promise<FusionRow> {
  await timeUnits(arms.plain, 1);
  await timeUnits(arms.fused, 1);
  const got: Record<"plain" | "fused", FusionArm[]> = { plain: [], fused: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? (["fused", "plain"] as const) : (["plain", "fused"] as const);
    for (const arm of order) got[arm].push(await timeUnits(arms[arm], count));
  }
  const pick = (a: FusionArm[]): FusionArm => ({
    ms: median(a.map((v) => v.ms)),
    dispatches: median(a.map((v) => v.dispatches)),
  });
  return { name, plain: pick(got.plain), fused: pick(got.fused) };
}

/** y = swish(x) = x * sigmoid(x). */
function swish(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** A residual Swish MLP 784-256-256-10: the elementwise chains compile mode fuses. */
export class SwishMlp extends nn.Module {
  fc1 = new nn.Linear({ inFeatures: 784, outFeatures: 256 });
  fc2 = new nn.Linear({ inFeatures: 256, outFeatures: 256 });
  fc3 = new nn.Linear({ inFeatures: 256, outFeatures: 10 });

  /** Two Swish blocks, the second residual, then the head. */
  forward(x: Tensor): Tensor {
    const h = swish(this.fc1.call(x));
    return this.fc3.call(swish(h.add(this.fc2.call(h).mul(0.5))));
  }
}

/** The stock MLP 784-256-256-10 with ReLU (as bench/train_bench.ts). */
function reluMlp(): nn.Module {
  return new nn.Sequential(
    new nn.Linear({ inFeatures: 784, outFeatures: 256 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 256, outFeatures: 256 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 256, outFeatures: 10 }),
  );
}

/** One training step's closure on a model (SGD, MSE against a fixed random target). */
function stepper(model: nn.Module, batch: number): () => Tensor {
  const x = randn([batch, 784]), y = randn([batch, 10]);
  const opt = new optim.SGD(model.parameters(), { lr: 1e-3, momentum: 0.9 });
  return () =>
    tidy(() => {
      const loss = F.mseLoss(model.call(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    });
}

/** The chain row and the two models' training rows. */
export async function benchFusion(rounds = 5, batch = 64): Promise<FusionRow[]> {
  const x = randn([CHAIN_ELEMENTS]);
  const rows = [
    await interleave(
      "8-op elementwise chain, 1M elements",
      {
        plain: () => tidy(() => chain(x)),
        fused: () =>
          tidy(() => {
            const y = fused(() => chain(x));
            void y.buffer; // evaluate it now: one dispatch
            return y;
          }),
      },
      10,
      rounds,
    ),
  ];
  x.dispose();
  for (
    const [name, make] of [["MLP 784-256-256-10 (ReLU)", reluMlp], [
      "residual Swish MLP 784-256-256-10",
      () => new SwishMlp(),
    ]] as const
  ) {
    const plain = make(), compiled = make();
    compiled.loadStateDict(plain.stateDict());
    compiled.compile();
    rows.push(
      await interleave(
        `${name}, SGD step, batch ${batch}`,
        { plain: stepper(plain, batch), fused: stepper(compiled, batch) },
        20,
        rounds,
      ),
    );
  }
  return rows;
}

/** The rows as a markdown table. */
export function fusionTable(rows: readonly FusionRow[]): string {
  const lines = [
    "| workload | plain ms | fused ms | speed-up | plain dispatches | fused dispatches |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.plain.ms.toFixed(2)} | ${r.fused.ms.toFixed(2)} | ${
        (r.plain.ms / r.fused.ms).toFixed(2)
      }x | ${r.plain.dispatches} | ${r.fused.dispatches} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const arg = (flag: string) => {
    const i = Deno.args.indexOf(flag);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const rows = await benchFusion(Number(arg("--rounds") ?? 5));
  console.log(`# Fusion (compile mode), ${deviceInfo().description}\n`);
  console.log(fusionTable(rows));
  console.log("\nms per chain or per step (median of the rounds); dispatches per chain or step");
  const json = arg("--json");
  if (json) await Deno.writeTextFile(json, JSON.stringify(rows, null, 2));
}
