// The measured budget lives with the bench, which ships and judges its own scores by it
// (src/bench/errorBudget.ts: where the error comes from, and what was measured).
export { cpuBf16ReferenceTolerance as bf16ReferenceTolerance } from "../../src/bench/errorBudget.js";
