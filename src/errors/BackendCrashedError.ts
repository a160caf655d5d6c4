import { RerankError } from "./RerankError.js";

/**
 * The isolated llama.cpp process died (an abort inside llama.cpp that validation did not foresee,
 * or a kill). The calls in flight fail with this error; this process is unharmed, and a new
 * Reranker.load() starts a new child.
 */
export class BackendCrashedError extends RerankError {
    readonly exitCode: number | null;
    readonly signal: string | null;

    constructor(exitCode: number | null, signal: string | null, detail = "") {
        super(
            "ERR_BACKEND_CRASHED",
            `the isolated llama.cpp process exited (${signal ? `signal ${signal}` : `exit code ${exitCode}`})${detail ? `: ${detail}` : ""}; load the model again to go on`
        );
        this.exitCode = exitCode;
        this.signal = signal;
    }
}
