import { RerankError } from "./RerankError.js";

/** A parameter was of the wrong type or out of range; the message names it, what was expected and what was given. */
export class InvalidArgumentError extends RerankError {
    constructor(message: string) {
        super("ERR_INVALID_ARGUMENT", message);
    }
}
