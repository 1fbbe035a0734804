/**
 * Config bench: load (read, parse, merge, override) and resolve a generated 2,000-key YAML
 * config with references, expressions, raw references and components.
 *
 * ```sh
 * deno run -A bench/config_bench.ts
 * ```
 *
 * @module
 */

import { Config } from "../src/config/mod.ts";

/** A generated YAML config of about `keys` leaf keys, in 20 sections. */
function generate(keys: number): string {
  const sections = 20;
  const per = Math.ceil(keys / sections);
  const lines = ["vars:", "  base: 1", "  scale: 2"];
  for (let s = 0; s < sections; s++) {
    lines.push(`section_${s}:`);
    for (let k = 0; k < per; k++) {
      const kind = k % 5;
      if (kind === 0) lines.push(`  key_${k}: ${s * per + k}`);
      else if (kind === 1) lines.push(`  key_${k}: "@section_${s}::key_${k - 1}"`);
      else if (kind === 2) lines.push(`  key_${k}: "$@section_${s}::key_${k - 2} * @vars::scale"`);
      else if (kind === 3) lines.push(`  key_${k}: [${k}, "@vars::base", text_${k}]`);
      else lines.push(`  key_${k}: {_target_: bench.Box, batch_size: ${k}, lr: "@vars::scale"}`);
    }
    if (s > 0) lines.push(`  copy: "%section_${s - 1}::key_3"`);
  }
  return lines.join("\n") + "\n";
}

class Box {
  constructor(public options: Record<string, unknown>) {}
}

/** Times load and resolve of a 2,000-key config (best of several runs, in ms). */
export async function benchConfig(): Promise<{ name: string; ms: number }[]> {
  const path = await Deno.makeTempFile({ prefix: "lumen_config_bench_", suffix: ".yaml" });
  await Deno.writeTextFile(path, generate(2000));
  const scope = { bench: { Box } };
  const time = async (fn: () => Promise<unknown> | unknown): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await fn();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  try {
    await Config.load(path, [], { scope }); // warm-up: imports, JIT
    const loadMs = await time(() => Config.load(path, ["vars::scale=3"], { scope }));
    const config = await Config.load(path, ["vars::scale=3"], { scope });
    const resolveMs = await time(() => {
      config.set("vars::base", 1); // clears the cache, so each run resolves from scratch
      return config.resolve();
    });
    const totalMs = await time(async () =>
      (await Config.load(path, ["vars::scale=3"], { scope })).resolve()
    );
    return [
      { name: "config: load 2,000 keys", ms: loadMs },
      { name: "config: resolve 2,000 keys", ms: resolveMs },
      { name: "config: load + resolve 2,000 keys", ms: totalMs },
    ];
  } finally {
    await Deno.remove(path);
  }
}

if (import.meta.main) {
  for (const r of await benchConfig()) console.log(`${r.name}: ${r.ms.toFixed(1)} ms`);
}
