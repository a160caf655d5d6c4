import type { Reranker } from "../Reranker.js";
import { configurationTolerance, type ErrorBudgetKey } from "./errorBudget.js";

/** The error budget key of a loaded Reranker: its backend, that backend's arithmetic, its weights. */
export function errorBudgetKeyOf(reranker: Reranker): ErrorBudgetKey {
    const description = reranker.describe();
    return { gpu: description.backend.gpu, arithmetic: description.precision.arithmetic.mode, weightType: description.model.weightType };
}

/**
 * A bench check that two configurations of one model on one backend score alike: within twice the
 * measured per-pair budget against the float64 reference (configurationTolerance, which says why);
 * reported, not judged, where no budget is measured. The detail always gives the spread.
 */
export function scoreAgreementCheck(subject: string, difference: number, key: ErrorBudgetKey, where = ""): { name: string; passed: boolean; detail: string } {
    const tolerance = configurationTolerance(key);
    const setup = `${key.gpu === false ? "cpu" : key.gpu}, ${key.arithmetic} arithmetic, ${key.weightType} weights`;
    const detail = `max |difference| ${difference.toExponential(2)}${where}`;
    if (tolerance === null) return { name: `${subject}: not judged, no error budget is measured for ${setup}`, passed: true, detail };
    return {
        name: `${subject} within ${tolerance.toExponential(1)} (twice the budget against the float64 reference, ${(tolerance / 2).toExponential(1)} for ${setup})`,
        passed: difference <= tolerance,
        detail
    };
}
