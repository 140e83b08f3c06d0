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

/** Variables to add to `current` (the parent's environment) for the server's process. */
export function serverProcessEnv(current: Readonly<Record<string, string | undefined>>): Record<string, string> {
    return current.MALLOC_MMAP_THRESHOLD_ !== undefined ? {} : { MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) };
}
