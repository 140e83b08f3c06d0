// The environment the language server's process starts with: the VS Code client forks the server
// with it (client/src/server-client.ts), the soak starts it so (test/soak/main.ts), and the docs
// tell other editors to set it (docs/language-server.md, "Running it"). It must be in place before
// the process starts: glibc reads it once, when malloc first runs, and Node cannot change it later.
//
// Why: glibc raises its mmap threshold each time a block allocated by mmap is freed, up to 32 MiB
// (mallopt(3), M_MMAP_THRESHOLD), so after the first large message buffer is freed, every later
// one (LSP messages, the documents and results passed between the server's threads) is carved out
// of a malloc arena instead and leaves holes there that are not given back. Over 10,000 edits of
// the soak (`npm run soak`, 2 cores) the threads' arenas grew by 17 and 19 MiB resident and the
// server's RSS by 13.2 and 13.3 % (seeds 8 and 9); with the threshold fixed at its initial
// 128 KiB, blocks that large are mapped and unmapped every time: the arenas grew by 6 to 9 MiB and
// RSS by 3.6, 5.4 and 6.0 % (seeds 8, 8, 9). (`MALLOC_ARENA_MAX=2` instead: 8.4 %.) Setting any
// of the thresholds turns the dynamic adjustment off; other C libraries ignore the variable. A
// value the user set already is kept.
//
// Imports nothing: the client bundles it as is.

/** The initial value of glibc's dynamic threshold, fixed. */
export const MMAP_THRESHOLD_BYTES = 128 * 1024;

/**
 * The server thread's young generation (`resourceLimits.maxYoungGenerationSizeMb` of its Worker,
 * server/thread-relay.ts), in MiB: a third each for V8's two semi-spaces and its new large object
 * space, so 32 MiB semi-spaces where V8's default gives 16. Why: an edit at 10k functions makes
 * tens of MiB of short-lived objects (the re-parse, the lowering slices, the result parts and
 * their compaction), so with the default the scavenger ran often, promoted objects that were about
 * to die, and the old generation's collections that followed held the thread for 10-40 ms, in
 * which hovers and completions waited. `npm run bench:lsp` at 10k functions, idle machine, p95
 * while a simulation runs (and once its run is under way), V8's default -> 96 (two runs): hover
 * 20 (9.8) -> 8.2 (4.9) and 12 (5.1) ms, completion 18 (20) -> 21 (15) and 14 (19) ms; the heap
 * after a full GC is the same (4.8 KiB per function), RSS above a one-line server's 237 -> 260 and
 * 270 MiB (the bigger nursery, kept committed). A Worker option, so it needs nothing from the
 * process's environment.
 */
export const SERVER_YOUNG_GENERATION_MB = 96;

/** Variables to add to `current` (the parent's environment) for the server's process. */
export function serverProcessEnv(current: Readonly<Record<string, string | undefined>>): Record<string, string> {
    return current.MALLOC_MMAP_THRESHOLD_ !== undefined ? {} : { MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) };
}
