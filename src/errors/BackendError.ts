import { RerankError } from "./RerankError.js";

export class BackendError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_BACKEND", message, { cause });
    }
}
