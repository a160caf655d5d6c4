import { RerankError } from "./RerankError.js";

export class DecodeError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_DECODE", message, { cause });
    }
}
