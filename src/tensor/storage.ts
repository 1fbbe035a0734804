import type { DeviceBuffer } from "../device/device.ts";
import { getDevice } from "../device/default_device.ts";

/** Reference-counted device memory shared by a tensor and its views (reshape, detach). */
export class Storage {
  #refs = 1;
  constructor(readonly buffer: DeviceBuffer) {}

  get alive(): boolean {
    return this.#refs > 0;
  }

  retain(): this {
    this.#refs++;
    return this;
  }

  release(): void {
    if (this.#refs <= 0) return;
    if (--this.#refs === 0) getDevice().release(this.buffer);
  }
}
