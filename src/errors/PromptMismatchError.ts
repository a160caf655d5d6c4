import { RerankError } from "./RerankError.js";

export class PromptMismatchError extends RerankError {
    constructor(message: string) {
        super("ERR_PROMPT_MISMATCH", message);
    }
}
