// 'mocha' in the web worker extension host's suite bundle (scripts/build.mjs aliases it here):
// Mocha's own browser build, which sets globalThis.Mocha (its Node entry needs fs and path).
import 'mocha/mocha.js';

const Mocha = (globalThis as unknown as { Mocha: typeof import('mocha') }).Mocha;
export default Mocha;
