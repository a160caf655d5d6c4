import { RerankError } from "./RerankError.js";

/** A valid GGUF that no model profile can serve (another architecture, no "Yes" token, ...). */
export class UnsupportedModelError extends RerankError {
    constructor(message: string) {
        super("ERR_UNSUPPORTED_MODEL", message);
    }
}
