import { RerankError } from "./RerankError.js";

export class ModelNotFoundError extends RerankError {
    readonly path: string;

    constructor(path: string, cause?: unknown) {
        super("ERR_MODEL_NOT_FOUND", `model file not found: ${path}`, { cause });
        this.path = path;
    }
}
