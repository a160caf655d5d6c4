import { RerankError } from "./RerankError.js";

/** The model produced NaN or ±Infinity for a pair: never returned as a score, never sorted. */
export class NonFiniteScoreError extends RerankError {
    readonly pairIndex: number;
    readonly value: number;

    /** detail names the item first ("pair 3"), then the profile and the precision in use. */
    constructor(pairIndex: number, value: number, detail: string) {
        super("ERR_NON_FINITE_SCORE", `the model produced a non-finite score (${value}) for ${detail}`);
        this.pairIndex = pairIndex;
        this.value = value;
    }
}
