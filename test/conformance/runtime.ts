// The root of the repository depends on no workspace package, so the suite reaches the runtime
// through its sources; this file is the one place to change to '@handrail/core' once it does.
export * from '../../packages/core/src/index.js';
export * from '../../packages/core/src/testing/index.js';
export { compilePolicy, presetPolicy } from '../../packages/policy/src/index.js';
