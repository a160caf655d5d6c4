import { RerankError } from "./RerankError.js";

/** The caller's AbortSignal fired; work stopped at the next decode boundary. */
export class AbortedError extends RerankError {
    constructor(reason?: unknown) {
        super("ERR_ABORTED", "the operation was aborted", { cause: reason });
    }
}
