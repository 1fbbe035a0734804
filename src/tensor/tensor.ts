import type { DeviceBuffer } from "../device/device.ts";
import { getDevice } from "../device/default_device.ts";
import type { GradNode } from "../autograd/node.ts";
import { runBackward } from "../autograd/backward.ts";
import { sizeOf } from "./shape.ts";
import { type Deferred, Storage } from "./storage.ts";
import { track } from "./scope.ts";
import * as ew from "../ops/elementwise.ts";
import * as red from "../ops/reduce.ts";
import * as mm from "../ops/matmul.ts";
import * as sh from "../ops/shape_ops.ts";
import * as sm from "../ops/softmax.ts";

/** Element types a tensor can hold. */
export type DType = "float32" | "int32";

/** Flat host data of a tensor. */
export type TensorData = Float32Array | Int32Array;

/** The operand of a binary op: a tensor or a plain number (broadcast). */
export type Operand = Tensor | number;

function disposedError(t: Tensor): Error {
  const made = t.node ? ` (made by ${t.node.name})` : "";
  return new Error(
    `A disposed tensor of shape [${t.shape}]${made} was used; tensors made inside tidy() are ` +
      "freed when it returns, so call backward() inside the tidy that built the graph",
  );
}

const finalizer = new FinalizationRegistry<Storage>((s) => s.release());

/**
 * An n-dimensional array on the device, with PyTorch's names, broadcasting and autograd.
 *
 * @example
 * ```ts
 * import { tensor } from "lumen";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const loss = x.mul(x).sum();
 * loss.backward();
 * console.log(await loss.item(), await x.grad!.data()); // 30 Float32Array(4) [2, 4, 6, 8]
 * ```
 */
export class Tensor {
  /** Size of each dimension. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Whether gradients flow to this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient after `backward()`, for leaves that require grad. */
  grad: Tensor | null = null;
  /** The op that made this tensor, when recorded for autograd. */
  node: GradNode | null = null;
  /**
   * The smallest and largest element of an int32 tensor made from host data (`tensor()`, the
   * DataLoader's upload), known without reading the device; views (`reshape`, `detach`) keep it.
   * Losses check class labels against it. Tensors computed on the device have none.
   */
  hostRange?: { readonly min: number; readonly max: number };
  #storage: Storage | null;

  /** Wraps device memory; most code uses `tensor()`, `zeros()` and friends instead. */
  constructor(storage: Storage, shape: readonly number[], dtype: DType, requiresGrad = false) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.requiresGrad = requiresGrad;
    finalizer.register(this, storage, this);
    track(this);
  }

  /** A new tensor owning a fresh device buffer. */
  static fromBuffer(buffer: DeviceBuffer, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(buffer), shape, dtype);
  }

  /** A new tensor whose contents `work` computes when first needed (a fused expression). */
  static deferred(work: Deferred, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(work), shape, dtype);
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether `dispose()` has been called. */
  get disposed(): boolean {
    return this.#storage === null;
  }

  /** The device buffer (a lazy tensor is evaluated first); throws if the tensor was disposed. */
  get buffer(): DeviceBuffer {
    if (!this.#storage) throw disposedError(this);
    return this.#storage.buffer;
  }

  /** The memory behind this tensor, shared with its views; throws if the tensor was disposed. */
  get storage(): Storage {
    if (!this.#storage) throw disposedError(this);
    return this.#storage;
  }

  /** A tensor with another shape over the same memory, outside the graph (used by reshape). */
  share(shape: readonly number[]): Tensor {
    if (!this.#storage) throw disposedError(this);
    const view = new Tensor(this.#storage.retain(), shape, this.dtype);
    if (this.hostRange) view.hostRange = this.hostRange;
    return view;
  }

  /** Frees the device memory now (views keep theirs alive). Safe to call twice. */
  dispose(): void {
    if (!this.#storage) return;
    finalizer.unregister(this);
    this.#storage.release();
    this.#storage = null;
  }

  /** The elements, row-major, copied to the host. */
  async data(): Promise<TensorData> {
    const bytes = await getDevice().read(this.buffer, this.size * 4);
    return this.dtype === "float32" ? new Float32Array(bytes) : new Int32Array(bytes);
  }

  /** The nested-array form of the elements. */
  async array(): Promise<unknown> {
    const flat = Array.from(await this.data());
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return flat[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The single element of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new Error(`item() needs a tensor with one element, got shape [${this.shape}]`);
    }
    return (await this.data())[0];
  }

  /** The same values, cut from the graph. */
  detach(): Tensor {
    return this.share(this.shape);
  }

  /** Back-propagates from this tensor (a scalar, or with an explicit `grad` of its shape). */
  backward(grad?: Tensor): void {
    runBackward(this, grad);
  }

  /** Elementwise sum with broadcasting. */
  add(other: Operand): Tensor {
    return ew.add(this, other);
  }
  /** Elementwise difference with broadcasting. */
  sub(other: Operand): Tensor {
    return ew.sub(this, other);
  }
  /** Elementwise product with broadcasting. */
  mul(other: Operand): Tensor {
    return ew.mul(this, other);
  }
  /** Elementwise true division with broadcasting (always float32). */
  div(other: Operand): Tensor {
    return ew.div(this, other);
  }
  /** Elementwise power. */
  pow(exponent: Operand): Tensor {
    return ew.pow(this, exponent);
  }
  /** Elementwise maximum (torch.maximum). */
  maximum(other: Operand): Tensor {
    return ew.maximum(this, other);
  }
  /** Elementwise minimum (torch.minimum). */
  minimum(other: Operand): Tensor {
    return ew.minimum(this, other);
  }
  /** -x */
  neg(): Tensor {
    return ew.unary("neg", this);
  }
  /** e^x */
  exp(): Tensor {
    return ew.unary("exp", this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return ew.unary("log", this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return ew.unary("sqrt", this);
  }
  /** Absolute value. */
  abs(): Tensor {
    return ew.unary("abs", this);
  }
  /** max(x, 0) */
  relu(): Tensor {
    return ew.unary("relu", this);
  }
  /** 1 / (1 + e^-x) */
  sigmoid(): Tensor {
    return ew.unary("sigmoid", this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return ew.unary("tanh", this);
  }
  /** GELU, exact erf form. */
  gelu(): Tensor {
    return ew.unary("gelu", this);
  }
  /** Clamps into [min, max]. */
  clamp(min: number, max: number): Tensor {
    return ew.clamp(this, min, max);
  }
  /** 1.0 where equal, else 0.0 (float32; torch returns bool). */
  eq(other: Operand): Tensor {
    return ew.compare("==", this, other);
  }
  /** 1.0 where greater, else 0.0. */
  gt(other: Operand): Tensor {
    return ew.compare(">", this, other);
  }
  /** 1.0 where less, else 0.0. */
  lt(other: Operand): Tensor {
    return ew.compare("<", this, other);
  }
  /** A copy converted to `dtype` (float to int truncates toward zero). */
  to(dtype: DType): Tensor {
    return ew.cast(this, dtype);
  }

  /** Matrix product: 1-D, 2-D, or batched with broadcast batch dims. */
  matmul(other: Tensor): Tensor {
    return mm.matmul(this, other);
  }

  /** Sum over `dim` (all dims when omitted). */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  /** Mean over `dim` (all dims when omitted). */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  /** Maximum values over `dim` (all when omitted); use `argmax` for the indices. */
  max(dim?: number, keepdim = false): Tensor {
    return red.max(this, dim, keepdim);
  }
  /** Minimum values over `dim` (all when omitted). */
  min(dim?: number, keepdim = false): Tensor {
    return red.min(this, dim, keepdim);
  }
  /** Index of the first maximum over `dim` (of the flattened tensor when omitted), as int32. */
  argmax(dim?: number, keepdim = false): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor {
    return sm.softmax(this, dim, false);
  }
  /** Log-softmax along `dim`. */
  logSoftmax(dim: number): Tensor {
    return sm.softmax(this, dim, true);
  }

  /** Same elements, new shape (one dim may be -1). */
  reshape(...shape: number[] | [number[]]): Tensor {
    const s = Array.isArray(shape[0]) ? shape[0] : (shape as number[]);
    return sh.reshape(this, s);
  }
  /** Flattens dims `startDim..endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return sh.flatten(this, startDim, endDim);
  }
  /** Inserts a dim of size 1. */
  unsqueeze(dim: number): Tensor {
    return sh.unsqueeze(this, dim);
  }
  /** Removes dims of size 1 (only `dim` when given). */
  squeeze(dim?: number): Tensor {
    return sh.squeeze(this, dim);
  }
  /** Swaps two dims. */
  transpose(dim0: number, dim1: number): Tensor {
    return sh.transpose(this, dim0, dim1);
  }
  /** Reorders dims. */
  permute(...dims: number[] | [number[]]): Tensor {
    const d = Array.isArray(dims[0]) ? dims[0] : (dims as number[]);
    return sh.permute(this, d);
  }
  /** Broadcasts to `shape` (a copy, unlike torch's view). */
  expand(...shape: number[] | [number[]]): Tensor {
    const s = Array.isArray(shape[0]) ? shape[0] : (shape as number[]);
    return sh.expand(this, s);
  }
  /** A contiguous copy. */
  clone(): Tensor {
    return sh.clone(this);
  }

  /** A short description (no data: reading is asynchronous). */
  toString(): string {
    return `Tensor(shape=[${this.shape}], dtype=${this.dtype}${
      this.requiresGrad ? ", requiresGrad" : ""
    })`;
  }
}
