/** OneCycleLR: the 1cycle policy (Smith), rate up to `maxLr` then far below the start. */
import { LRScheduler, type SchedulerArgs, type SchedulerBaseOptions } from "./lr_scheduler.ts";
import { schedulerArgs } from "./_scheduler_args.ts";
import { checkBoolean, checkNumber, checkPositiveInt } from "./_validate.ts";

/** Options of `OneCycleLR`. */
export interface OneCycleLROptions extends SchedulerBaseOptions {
  /** Peak rate, one number or one per group (required). */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs, with `stepsPerEpoch`, when `totalSteps` is not given. */
  epochs?: number;
  /** Steps per epoch, with `epochs`. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the rate. Default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear" annealing. */
  annealStrategy?: "cos" | "linear";
  /** Cycles momentum (SGD's `momentum`, Adam's first beta) inversely to the rate. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate, one number or one per group. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end, one number or one per group. Default 0.95. */
  maxMomentum?: number | number[];
  /** `initialLr = maxLr / divFactor`. Default 25. */
  divFactor?: number;
  /** `minLr = initialLr / finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases as in the paper (up, back down to `initialLr`, then to `minLr`). Default false. */
  threePhase?: boolean;
}

/** What a `OneCycleLR` keeps of its options (the per-group values live in the groups). */
export interface OneCycleLRSettings {
  /** Steps in the cycle. */
  totalSteps: number;
  /** Fraction of the cycle spent raising the rate. */
  pctStart: number;
  /** Annealing shape. */
  annealStrategy: "cos" | "linear";
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Whether the cycled momentum is Adam's first beta (else SGD's `momentum`). */
  useBeta1: boolean;
  /** Three phases instead of two. */
  threePhase: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

const KNOWN = [
  "maxLr",
  "totalSteps",
  "epochs",
  "stepsPerEpoch",
  "pctStart",
  "annealStrategy",
  "cycleMomentum",
  "baseMomentum",
  "maxMomentum",
  "divFactor",
  "finalDivFactor",
  "threePhase",
];

function perGroup(name: string, value: number | number[], groups: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(
        `OneCycleLR: expected ${groups} values for '${name}' (one per group), got ${value.length}`,
      );
    }
    return value.map((v, i) => checkNumber("OneCycleLR", `${name}[${i}]`, v));
  }
  return new Array(groups).fill(checkNumber("OneCycleLR", name, value));
}

/**
 * The 1cycle policy as torch 1.13 computes it: per step, the phase containing the step anneals
 * between two of each group's `initialLr`, `maxLr` and `minLr` (and momenta), by cosine or
 * linearly. Stepping past `totalSteps` throws. It writes `initialLr`, `maxLr`, `minLr`,
 * `maxMomentum` and `baseMomentum` into each group, as torch does.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "lumen";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.OneCycleLR({ optimizer: opt, maxLr: 1, totalSteps: 10 });
 * console.log(sched.getLastLr()); // ≈ [0.04]: maxLr / divFactor
 * for (let i = 0; i < 2; i++) sched.step();
 * console.log(sched.getLastLr(), opt.paramGroups[0].momentum); // [1] 0.85: at the peak
 * ```
 */
export class OneCycleLR extends LRScheduler<OneCycleLRSettings> {
  /** `(optimizer, options)` or one options object holding `optimizer` (see `SchedulerArgs`). */
  constructor(...args: SchedulerArgs<OneCycleLROptions>) {
    const { optimizer, options: o } = schedulerArgs("OneCycleLR", KNOWN, args);
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      totalSteps = checkPositiveInt("OneCycleLR", "totalSteps", o.totalSteps);
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      totalSteps = checkPositiveInt("OneCycleLR", "epochs", o.epochs) *
        checkPositiveInt("OneCycleLR", "stepsPerEpoch", o.stepsPerEpoch);
    } else {
      throw new TypeError("OneCycleLR needs 'totalSteps', or 'epochs' and 'stepsPerEpoch'");
    }
    const annealStrategy = o.annealStrategy ?? "cos";
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new TypeError(
        `OneCycleLR: 'annealStrategy' must be "cos" or "linear", got ${
          JSON.stringify(annealStrategy)
        }`,
      );
    }
    const cycleMomentum = checkBoolean("OneCycleLR", "cycleMomentum", o.cycleMomentum ?? true);
    const defaults = optimizer.defaults as Record<string, unknown>;
    if (cycleMomentum && !("momentum" in defaults) && !("betas" in defaults)) {
      throw new TypeError(
        "OneCycleLR: cycleMomentum needs an optimizer with 'momentum' or 'betas'; pass " +
          "cycleMomentum: false",
      );
    }
    super(optimizer, {
      totalSteps,
      pctStart: checkNumber("OneCycleLR", "pctStart", o.pctStart ?? 0.3, { max: 1 }),
      annealStrategy,
      cycleMomentum,
      useBeta1: "betas" in defaults,
      threePhase: checkBoolean("OneCycleLR", "threePhase", o.threePhase ?? false),
    });
    const lastEpoch = o.lastEpoch ?? -1;
    const groups = optimizer.paramGroups;
    if (o.maxLr === undefined) throw new TypeError("OneCycleLR needs 'maxLr'");
    const maxLrs = perGroup("maxLr", o.maxLr, groups.length);
    const divFactor = checkNumber("OneCycleLR", "divFactor", o.divFactor ?? 25);
    const finalDivFactor = checkNumber("OneCycleLR", "finalDivFactor", o.finalDivFactor ?? 1e4);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    if (cycleMomentum) {
      const maxM = perGroup("maxMomentum", o.maxMomentum ?? 0.95, groups.length);
      const baseM = perGroup("baseMomentum", o.baseMomentum ?? 0.85, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          this.#setMomentum(g, maxM[i]);
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    this.start(lastEpoch);
  }

  #phases(): Phase[] {
    const { totalSteps: n, pctStart: pct } = this.settings;
    // Both policies start by raising the rate to `maxLr` over the first `pctStart` of the cycle.
    const up: Phase = {
      endStep: pct * n - 1,
      startLr: "initialLr",
      endLr: "maxLr",
      startMomentum: "maxMomentum",
      endMomentum: "baseMomentum",
    };
    if (this.settings.threePhase) {
      return [
        up,
        {
          endStep: 2 * pct * n - 2,
          startLr: "maxLr",
          endLr: "initialLr",
          startMomentum: "baseMomentum",
          endMomentum: "maxMomentum",
        },
        {
          endStep: n - 1,
          startLr: "initialLr",
          endLr: "minLr",
          startMomentum: "maxMomentum",
          endMomentum: "maxMomentum",
        },
      ];
    }
    return [
      up,
      {
        endStep: n - 1,
        startLr: "maxLr",
        endLr: "minLr",
        startMomentum: "baseMomentum",
        endMomentum: "maxMomentum",
      },
    ];
  }

  #anneal(start: number, end: number, pct: number): number {
    if (this.settings.annealStrategy === "linear") return (end - start) * pct + start;
    return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
  }

  #setMomentum(group: Record<string, unknown>, value: number): void {
    if (this.settings.useBeta1) {
      const betas = group.betas as number[];
      group.betas = [value, ...betas.slice(1)];
    } else group.momentum = value;
  }

  /** Advances one step; throws once the cycle's `totalSteps` would be exceeded. */
  override step(): void {
    // Checked before advancing, so a caught error leaves the schedule where it was.
    if (this.lastEpoch + 1 > this.settings.totalSteps) {
      throw new RangeError(
        `OneCycleLR was stepped ${this.lastEpoch + 2} times; its total number of steps is ` +
          `${this.settings.totalSteps}`,
      );
    }
    super.step();
  }

  /** This schedule's rate for each group at `lastEpoch`. */
  protected override computeLr(): number[] {
    const phases = this.#phases();
    const step = this.lastEpoch;
    return this.optimizer.paramGroups.map((group) => {
      const g = group as Record<string, number>;
      let start = 0;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        if (step <= phase.endStep || i === phases.length - 1) {
          const pct = (step - start) / (phase.endStep - start);
          if (this.settings.cycleMomentum) {
            const m = this.#anneal(g[phase.startMomentum], g[phase.endMomentum], pct);
            this.#setMomentum(group, m);
          }
          return this.#anneal(g[phase.startLr], g[phase.endLr], pct);
        }
        start = phase.endStep;
      }
      throw new Error("unreachable: the last phase always matches");
    });
  }
}
