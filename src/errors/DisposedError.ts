import { RerankError } from "./RerankError.js";

export class DisposedError extends RerankError {
    constructor(what: string) {
        super("ERR_DISPOSED", `${what} is disposed`);
    }
}
