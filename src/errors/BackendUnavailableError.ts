import { RerankError } from "./RerankError.js";

/**
 * A supervised scorer (the server's, with isolation "process") has no llama.cpp process right now:
 * the last one died and its replacement is not up yet, or reloading it keeps failing. Calls made
 * meanwhile fail fast with this error; `reason` says why and `retryAfterSeconds` when to try again
 * (null: the supervisor gave up, the server needs a restart).
 */
export class BackendUnavailableError extends RerankError {
    readonly reason: string;
    readonly retryAfterSeconds: number | null;

    constructor(reason: string, retryAfterSeconds: number | null = null) {
        super("ERR_BACKEND_UNAVAILABLE", `no llama.cpp process is serving right now: ${reason}`);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
