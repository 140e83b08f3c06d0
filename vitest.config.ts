import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        setupFiles: ['language/polyfill.mjs'],
        // Ceilings, not expectations: tests wait for events, and on a fully busy machine (two suites
        // side by side on two shared cores) a server start or a 100k-function platform takes minutes.
        testTimeout: 300_000,
        hookTimeout: 300_000,
        pool: 'forks',
    },
});
