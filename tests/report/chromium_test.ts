// Needs Chromium (/usr/bin/chromium, or the path in $CHROMIUM): .ci/run installs it with apt-get.
import assert from "node:assert/strict";
import { decodePng } from "../../src/deps.ts";
import { cliInProcess as cli } from "../cli/helpers.ts";
import { writeFiles } from "./_page.ts";

function chromiumPath(): string {
  const path = Deno.env.get("CHROMIUM") || "/usr/bin/chromium";
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(
      `this test needs Chromium at ${path} (apt-get install -y chromium, as .ci/run does, ` +
        "or set CHROMIUM to its path)",
    );
  }
  return path;
}

async function chromium(args: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "lumen_chromium_" });
  try {
    const out = await new Deno.Command(chromiumPath(), {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return text;
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

/** Whether some pixel is within 12 of `rgb` in every channel. */
function hasColor(img: ReturnType<typeof decodePng>, rgb: [number, number, number]): boolean {
  const { data, channels } = img;
  for (let i = 0; i < data.length; i += channels) {
    if (rgb.every((c, k) => Math.abs(Number(data[i + k]) - c) <= 12)) return true;
  }
  return false;
}

Deno.test("report page in headless Chromium (needs chromium): DOM has the charts, screenshot has the lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lumen_report_chromium_" });
  try {
    await writeFiles(dir, {
      "a/version_0/metrics.csv": "epoch,step,train/loss/step,val/acc/epoch\n" +
        "0,0,2,\n0,1,1.5,\n0,1,,0.5\n1,2,1,\n1,3,0.5,\n1,3,,0.75\n",
      "b/version_0/metrics.csv": "epoch,step,train/loss/step,val/acc/epoch\n" +
        "0,0,2.5,\n0,1,2,\n0,1,,0.25\n1,2,1.75,\n1,3,1.5,\n1,3,,0.5\n",
      "a/version_0/hparams.yaml": "lr: 0.01\n",
    });
    const out = `${dir}/report.html`;
    const r = await cli(["report", `${dir}/a/version_0`, `${dir}/b/version_0`, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const url = new URL(`file://${out}`).href;

    const dom = await chromium(["--dump-dom", url]);
    const charts = [...dom.matchAll(/<svg [^>]*class="chart"[^>]*data-key="([^"]+)"/g)];
    assert.deepEqual(charts.map((m) => m[1]), ["train/loss/step", "val/acc/epoch"]);
    assert.equal((dom.match(/<polyline /g) ?? []).length, 4);
    for (const key of ["train/loss/step", "val/acc/epoch"]) {
      assert.match(dom, new RegExp(`<text class="chart-title"[^>]*>${key}</text>`));
    }
    assert.match(dom, /<td class="key">lr<\/td><td class="value">0\.01<\/td>/);

    const png = `${dir}/shot.png`;
    await chromium([`--screenshot=${png}`, "--window-size=1200,900", url]);
    const img = decodePng(await Deno.readFile(png));
    assert.equal(img.width, 1200);
    assert.equal(img.height, 900);
    let nonWhite = 0;
    for (let i = 0; i < img.data.length; i += img.channels) {
      if (Number(img.data[i]) < 250 || Number(img.data[i + 1]) < 250) nonWhite++;
    }
    assert.ok(nonWhite > 1000, `only ${nonWhite} non-white pixels`);
    // The first chart is on screen: both runs' line colours (PALETTE[0], PALETTE[1]) are drawn.
    assert.ok(hasColor(img, [0x1f, 0x77, 0xb4]), "run a's blue line");
    assert.ok(hasColor(img, [0xff, 0x7f, 0x0e]), "run b's orange line");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
