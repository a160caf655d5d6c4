import { RerankError } from "./RerankError.js";

/** The file is not a readable GGUF, or its contents would make llama.cpp abort. */
export class InvalidModelFileError extends RerankError {
    readonly path: string;

    constructor(path: string, reason: string, cause?: unknown) {
        super("ERR_INVALID_MODEL_FILE", `${path} is not a valid GGUF model: ${reason}`, { cause });
        this.path = path;
    }
}
