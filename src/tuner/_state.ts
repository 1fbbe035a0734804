/**
 * What a tuner run changes and puts back: the model's weights and buffers, the optimizer's state
 * and hyperparameters, the scheduler's state, the random generator, the dataloaders' epochs and
 * the modules' training flags. Lightning saves a checkpoint before and restores it after; here
 * the copies are host arrays (read back once), so they take no device memory while the
 * batch-size finder measures it, and restoring writes the same bits back.
 *
 * @module
 */
import { getDevice } from "../device/default_device.ts";
import type { DataLoader } from "../data/loader.ts";
import type { AnyModule } from "../nn/module.ts";
import type { OptimizerStateDict, ParamState } from "../optim/optimizer.ts";
import type { SchedulerStateDict } from "../optim/lr_scheduler.ts";
import type { System } from "../system/system.ts";
import { getRandomState, type RandomState, setRandomState } from "../tensor/random_state.ts";
import { type DType, Tensor, type TensorData } from "../tensor/tensor.ts";

/** A tensor copied to the host. */
interface HostTensor {
  data: TensorData;
  shape: number[];
  dtype: DType;
  hostRange: Tensor["hostRange"];
}

/** Everything {@link restoreState} puts back. */
export interface SavedState {
  weights: Record<string, HostTensor>;
  optimizer: {
    groups: Record<string, unknown>[];
    state: Record<number, Record<string, number | HostTensor>>;
  } | null;
  scheduler: SchedulerStateDict | null;
  rng: RandomState;
  loaders: [DataLoader, number][];
  training: [AnyModule, boolean][];
}

async function toHost(t: Tensor): Promise<HostTensor> {
  return { data: await t.data(), shape: [...t.shape], dtype: t.dtype, hostRange: t.hostRange };
}

function toDevice(h: HostTensor): Tensor {
  const t = Tensor.fromBuffer(getDevice().upload(h.data), h.shape, h.dtype);
  t.hostRange = h.hostRange;
  return t;
}

/** Copies what a tuner run changes (reads every weight and optimizer state tensor back). */
export async function saveState(system: System): Promise<SavedState> {
  const weights: Record<string, HostTensor> = {};
  await Promise.all(
    Object.entries(system.model.stateDict()).map(async ([k, t]) => {
      weights[k] = await toHost(t);
    }),
  );
  let optimizer: SavedState["optimizer"] = null;
  if (system.optimizer) {
    const sd = system.optimizer.stateDict();
    const state: Record<number, Record<string, number | HostTensor>> = {};
    const reads: Promise<void>[] = [];
    for (const [index, entry] of Object.entries(sd.state)) {
      const copy: Record<string, number | HostTensor> = {};
      state[Number(index)] = copy;
      for (const [name, value] of Object.entries(entry)) {
        if (value instanceof Tensor) {
          reads.push(toHost(value).then((h) => void (copy[name] = h)));
        } else copy[name] = value;
      }
    }
    await Promise.all(reads);
    optimizer = { groups: structuredClone(sd.param_groups), state };
  }
  const loaders = Object.values(system.dataloaders).map((l): [DataLoader, number] => [l, l.epoch]);
  return {
    weights,
    optimizer,
    scheduler: system.scheduler ? structuredClone(system.scheduler.stateDict()) : null,
    rng: getRandomState(),
    loaders,
    training: [...system.model.modules()].map((m): [AnyModule, boolean] => [m, m.training]),
  };
}

/**
 * Writes the saved weights and optimizer state back (bit for bit), and restores the scheduler,
 * the random generator, the dataloaders' epochs and the training flags; resets the train metrics.
 */
export function restoreState(system: System, saved: SavedState): void {
  const made: Tensor[] = [];
  const upload = (h: HostTensor): Tensor => {
    const t = toDevice(h);
    made.push(t);
    return t;
  };
  try {
    const weights: Record<string, Tensor> = {};
    for (const [k, h] of Object.entries(saved.weights)) weights[k] = upload(h);
    system.model.loadStateDict(weights);
    if (system.optimizer && saved.optimizer) {
      const state: Record<number, ParamState> = {};
      for (const [index, entry] of Object.entries(saved.optimizer.state)) {
        state[Number(index)] = Object.fromEntries(
          Object.entries(entry).map(([name, v]) => [name, typeof v === "number" ? v : upload(v)]),
        );
      }
      const dict: OptimizerStateDict = {
        state,
        param_groups: structuredClone(saved.optimizer.groups),
      };
      system.optimizer.loadStateDict(dict);
    }
  } finally {
    // The loads recorded copies out of these buffers; later work runs after them.
    for (const t of made) t.dispose();
  }
  if (system.scheduler && saved.scheduler) {
    system.scheduler.loadStateDict(structuredClone(saved.scheduler));
  }
  setRandomState(saved.rng);
  for (const [loader, epoch] of saved.loaders) loader.setEpoch(epoch);
  for (const [module, training] of saved.training) module.training = training;
  for (const metric of Object.values(system.metrics.train ?? {})) metric.reset();
}
