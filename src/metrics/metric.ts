/**
 * The metric base, as torchmetrics' `Metric`: state tensors on the device that `update` adds each
 * batch into, `compute` turns into the value, `reset` clears, and `forward` that returns the
 * value of one batch while it accumulates. Nothing here reads a value back to the host.
 *
 * @module
 */
import { noGrad } from "../autograd/grad_mode.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { keep, tidy } from "../tensor/tidy.ts";

/**
 * A metric accumulated over batches on the device. Subclasses say what one batch contributes
 * (`batchState`), how states merge (`mergeState`, a sum by default) and how a state becomes the
 * value (`computeFrom`). The state is made without autograd and outlives any `tidy` scope.
 *
 * @example
 * ```ts
 * import { metrics, tensor } from "lumen";
 * const acc = new metrics.Accuracy({ task: "binary" });
 * const step = acc.forward(tensor([0.9, 0.2, 0.7]), tensor(new Int32Array([1, 0, 0])));
 * acc.update(tensor([0.1]), tensor(new Int32Array([0])));
 * console.log(acc.name, await step.item(), await acc.compute().item()); // Accuracy 0.6666666865348816 0.75
 * acc.dispose();
 * ```
 */
export abstract class Metric {
  #state: Tensor[] | null = null;

  /** The state before any batch: zeros, or no tensors for a metric that keeps every batch. */
  protected abstract emptyState(): Tensor[];

  /**
   * The state of one batch alone, as new tensors (never `preds` or `target` themselves). Checks
   * shapes and dtypes (known on the host) and never reads values back.
   */
  protected abstract batchState(preds: Tensor, target: Tensor): Tensor[];

  /** The value of a state, as a new float32 tensor (0-d, or [C] for per-class results). */
  protected abstract computeFrom(state: readonly Tensor[]): Tensor;

  /**
   * The state after a batch: `state + batch`, elementwise, by default. Tensors of `state` and
   * `batch` that the result does not hold are freed afterwards.
   */
  protected mergeState(state: readonly Tensor[], batch: readonly Tensor[]): Tensor[] {
    return state.map((s, i) => s.add(batch[i]));
  }

  /** The class name, used in log keys such as `train/metrics/Accuracy/step`. */
  get name(): string {
    return this.constructor.name;
  }

  /** Accumulates one batch into the state, on the device. */
  update(preds: Tensor, target: Tensor): void {
    noGrad(() => this.#merge(tidy(() => this.batchState(preds, target))));
  }

  /**
   * The value of this batch alone, accumulated into the state as `update` does (torchmetrics'
   * `forward`, which computes the batch from a fresh state and then merges it).
   */
  forward(preds: Tensor, target: Tensor): Tensor {
    return noGrad(() => {
      const batch = tidy(() => this.batchState(preds, target));
      let value: Tensor;
      try {
        value = tidy(() => this.computeFrom(batch));
      } catch (e) {
        for (const t of batch) t.dispose();
        throw e;
      }
      this.#merge(batch);
      return value;
    });
  }

  /** The value of everything accumulated since the last `reset`, as a new device tensor. */
  compute(): Tensor {
    return noGrad(() => tidy(() => this.computeFrom(this.#current())));
  }

  /** Clears the state: the next `compute` sees no batch. */
  reset(): void {
    this.dispose();
  }

  /** Frees the state tensors now (a later `update` starts from zeros again). */
  dispose(): void {
    for (const t of this.#state ?? []) t.dispose();
    this.#state = null;
  }

  #current(): Tensor[] {
    this.#state ??= noGrad(() => tidy(() => this.emptyState())).map((t) => keep(t));
    return this.#state;
  }

  #merge(batch: Tensor[]): void {
    const old = this.#current();
    let next: Tensor[];
    try {
      next = tidy(() => this.mergeState(old, batch));
    } catch (e) {
      for (const t of batch) t.dispose();
      throw e;
    }
    const live = new Set(next.map((t) => keep(t)));
    for (const t of [...old, ...batch]) if (!live.has(t)) t.dispose();
    this.#state = next;
  }
}
