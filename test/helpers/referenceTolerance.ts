// The measured budget lives with the bench, which ships and judges its own scores by it
// (src/bench/errorBudget.ts: where the error comes from, and what was measured).
export { cpuF32ReferenceTolerance as referenceTolerance } from "../../src/bench/errorBudget.js";
