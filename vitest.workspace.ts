// The one list of test projects. Vitest 4 no longer reads this file on its own:
// vitest.config.ts imports it as `test.projects`, so this is what `pnpm test` runs.
export default ["packages/*"];
