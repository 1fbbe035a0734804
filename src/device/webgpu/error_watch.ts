/**
 * WebGPU error scopes around every dispatch and every submit, without waiting for them: the
 * promise `popErrorScope()` returns is kept, and an error it brings is remembered with the op that
 * caused it, for the device to raise at its next sync point (the next dispatch, flush or read).
 * A scope costs about 0.3 µs a dispatch on llvmpipe; nothing on the host waits for the GPU.
 *
 * @module
 */
import { describeKernel, DeviceValidationError, opName } from "./errors.ts";

/** An error the driver reported, not raised yet. */
export interface Fault {
  /** Orders faults: the dispatch number for a dispatch, just after its last dispatch for a submit. */
  order: number;
  /** The error to raise. */
  error: Error;
  /** Whether the command encoder that recorded the op is now invalid and must be dropped. */
  poisonsEncoder: boolean;
}

/** The ops a submit's message lists at most (the rest are counted). */
const LISTED_OPS = 8;

/** Error scopes for dispatches and submits, and the first fault they found. */
export class ErrorWatch {
  #fault: Fault | null = null;
  #outstanding = 0;
  #waiters: (() => void)[] = [];
  /** Kernel keys (and "copy") recorded since the last submit, to name them if the submit fails. */
  #ops: string[] = [];
  #lastOrder = 0;
  /** Bumped when a fault is taken: later reports from scopes opened before are its consequences. */
  #generation = 0;
  #settle = (): void => {
    if (--this.#outstanding > 0 || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  };

  constructor(readonly gpu: GPUDevice) {
    // Errors outside every scope (a queue write, say) are raised too, without an op to blame.
    gpu.addEventListener?.("uncapturederror", (event) => {
      const message = (event as GPUUncapturedErrorEvent).error?.message ?? String(event);
      this.report({
        order: this.#lastOrder + 0.75,
        error: new DeviceValidationError(`WebGPU error outside any op: ${message}`),
        poisonsEncoder: false,
      });
    });
  }

  /** Opens the scope of one dispatch (before its bind group is made). */
  openDispatch(): void {
    this.gpu.pushErrorScope("validation");
  }

  /** Closes the scope of dispatch number `order` of `key`; an error in it names that op. */
  closeDispatch(key: string, order: number): void {
    this.#ops.push(key);
    this.#lastOrder = order;
    this.#track(this.gpu.popErrorScope(), (e) => ({
      order,
      error: new DeviceValidationError(
        `WebGPU validation error in ${describeKernel(key)}, dispatch #${order}: ${e.message}`,
      ),
      poisonsEncoder: true,
    }));
  }

  /** Notes a buffer copy recorded into the current command encoder, for a submit's message. */
  noteCopy(): void {
    this.#ops.push("copy");
  }

  /** Opens the scope of a submit: the params upload, `finish()` and `queue.submit()`. */
  openSubmit(): void {
    this.gpu.pushErrorScope("validation");
  }

  /** Closes a submit's scope; `lastOrder` is its last dispatch's number. */
  closeSubmit(lastOrder: number): void {
    const ops = this.#ops;
    this.#ops = [];
    this.#track(this.gpu.popErrorScope(), (e) => ({
      order: lastOrder + 0.5,
      error: new DeviceValidationError(
        `WebGPU validation error in a submit of ${listOps(ops)}: ${e.message}`,
      ),
      poisonsEncoder: false,
    }));
  }

  /** Remembers `fault` unless an earlier one (by order) is already waiting. */
  report(fault: Fault): void {
    if (!this.#fault || fault.order < this.#fault.order) this.#fault = fault;
  }

  /**
   * The waiting fault, removed; null when there is none. Scopes still open for the work recorded
   * before it report nothing more: their errors follow from this one.
   */
  take(): Fault | null {
    const fault = this.#fault;
    if (fault) {
      this.#fault = null;
      this.#generation++;
    }
    return fault;
  }

  /** Resolves once every scope popped so far has reported. */
  settled(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #track(scope: Promise<GPUError | null>, fault: (error: GPUError) => Fault): void {
    this.#outstanding++;
    const generation = this.#generation;
    scope.then(
      (error) => {
        if (error && generation === this.#generation) this.report(fault(error));
        this.#settle();
      },
      // A lost device rejects its scopes; the loss itself is raised by the device.
      this.#settle,
    );
  }
}

/** `8 ops: "matmul" ×3, "ew" ×4, copy` style summary of the ops of one submit. */
function listOps(keys: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const name = key === "copy" ? "copy" : `"${opName(key)}"`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const names = [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
  const shown = names.slice(0, LISTED_OPS).join(", ");
  const more = names.length > LISTED_OPS ? `, and ${names.length - LISTED_OPS} more` : "";
  return `${keys.length} op${keys.length === 1 ? "" : "s"} (${shown}${more})`;
}
