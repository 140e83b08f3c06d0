// The version `pciplat --version` and SARIF's tool.driver report. Kept equal to package.json's
// `version` by a test (test/cli/main.test.ts), so the compiled CLI needs no file lookup at run time.
export const VERSION = '0.1.0';
