/**
 * A guard against an abort at process exit on WebGPU's GL backend ("double free or corruption",
 * "corrupted size vs. prev_size") when the GPU was used off the main thread, as `deno test` does:
 * it runs each test module on a thread of its blocking pool.
 *
 * The cause, seen in core dumps and a `pthread_key_create` trace: wgpu's GL backend calls EGL
 * through libglvnd's libEGL.so.1, which keeps a state per calling thread, freed by a thread-exit
 * destructor and also kept in a list that libEGL's library destructor frees at exit. Deno ends
 * with `shutdown_background()` on its runtime (the pool's threads are told to exit, not joined)
 * and then `exit()`: a pool thread running its destructor while the main thread runs libEGL's
 * teardown frees the same state twice. No JS runs late enough to release the state (the GPU's
 * own teardown, after the last JS, sets it again), so the guard orders the two instead: an exit
 * handler (`__cxa_atexit`, which runs before library destructors) sleeps a moment while those
 * threads finish. Measured on GL llvmpipe, runs of `deno test` aborting at exit: 30 raw WebGPU
 * modules, 14 of 60 before and 0 of 60 after; 10 lumen modules, 4 of 40 before and 0 of 40 after.
 *
 * Needs FFI and env permission; without them, or where it is not needed (no libEGL loaded, the GPU used on
 * the main thread as in `deno run`), it does nothing.
 *
 * @module
 */

/** How long the exit handler waits for the pool's threads, in milliseconds. */
export const EXIT_WAIT_MS = 200;

/** Marks the process (id) whose exit is already guarded: modules of a test run share it. */
const MARK = "LUMEN_GL_EXIT_GUARD";

/** What `guardGlExit()` did, and why. */
export type GlExitGuard =
  | "registered"
  | "already registered"
  | "not needed: libEGL is not loaded"
  | "not needed: the GPU is used on the main thread"
  | "unavailable: no FFI or env permission"
  | "unavailable: libc has no usleep or __cxa_atexit"
  | "unavailable: not Linux";

/** Whether glvnd's libEGL.so.1 is mapped into this process (the GL backend loaded it). */
function eglLoaded(): boolean {
  return Deno.readTextFileSync("/proc/self/maps").includes("/libEGL.so.1");
}

/** Whether this JS runs on the process's main thread (its thread id is the process id). */
function onMainThread(): boolean {
  const self = Deno.readLinkSync("/proc/thread-self"); // "<pid>/task/<tid>"
  return self.endsWith(`/task/${Deno.pid}`);
}

/**
 * Registers, once per process, an exit handler that gives exiting threads time to free their EGL
 * state before libEGL's teardown; call after acquiring a device. Says what it did.
 */
export function guardGlExit(): GlExitGuard {
  if (Deno.build.os !== "linux") return "unavailable: not Linux";
  const granted = (name: "ffi" | "env") => Deno.permissions.querySync({ name }).state === "granted";
  if (!granted("ffi") || !granted("env")) return "unavailable: no FFI or env permission";
  // The mark lives in the process's environment, so the modules of one test run, each in its
  // own isolate, register one handler between them.
  const pid = String(Deno.pid);
  if (Deno.env.get(MARK) === pid) return "already registered";
  try {
    if (!eglLoaded()) return "not needed: libEGL is not loaded";
    if (onMainThread()) return "not needed: the GPU is used on the main thread";
  } catch {
    return "not needed: libEGL is not loaded"; // /proc unreadable: no GL driver to guard
  }
  const libc = Deno.dlopen("libc.so.6", {
    dlsym: { parameters: ["pointer", "buffer"], result: "pointer" },
    __cxa_atexit: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  });
  try {
    const usleep = libc.symbols.dlsym(null, cString("usleep"));
    // At exit: usleep(EXIT_WAIT_MS * 1000), before the library destructors (_dl_fini) run.
    const micros = Deno.UnsafePointer.create(BigInt(EXIT_WAIT_MS * 1000));
    if (usleep === null || libc.symbols.__cxa_atexit(usleep, micros, null) !== 0) {
      return "unavailable: libc has no usleep or __cxa_atexit";
    }
    Deno.env.set(MARK, pid);
    return "registered";
  } finally {
    libc.close();
  }
}

/** A NUL-terminated copy of `text`, for C. */
function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`) as Uint8Array<ArrayBuffer>;
}
