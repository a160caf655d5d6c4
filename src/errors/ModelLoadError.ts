import { RerankError } from "./RerankError.js";

export class ModelLoadError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_MODEL_LOAD", message, { cause });
    }
}
