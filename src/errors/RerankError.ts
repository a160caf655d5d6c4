export type RerankErrorCode =
    | "ERR_INVALID_ARGUMENT"
    | "ERR_MODEL_NOT_FOUND"
    | "ERR_MODEL_DOWNLOAD"
    | "ERR_INVALID_MODEL_FILE"
    | "ERR_UNSUPPORTED_MODEL"
    | "ERR_MODEL_LOAD"
    | "ERR_NATIVE_ADDON"
    | "ERR_BACKEND"
    | "ERR_DECODE"
    | "ERR_NON_FINITE_SCORE"
    | "ERR_SEQUENCE_TOO_LONG"
    | "ERR_PROMPT_MISMATCH"
    | "ERR_DISPOSED"
    | "ERR_MISSING_DEV_DEPENDENCY"
    | "ERR_ABORTED"
    | "ERR_GPU_UNAVAILABLE"
    | "ERR_INSUFFICIENT_MEMORY"
    | "ERR_BACKEND_CRASHED"
    | "ERR_BACKEND_UNAVAILABLE"
    | "ERR_REMOTE_HTTP"
    | "ERR_REMOTE_UNAVAILABLE"
    | "ERR_REMOTE_TIMEOUT"
    | "ERR_REMOTE_RESPONSE";

/**
 * Base of every error this library throws on purpose. Catch it, and switch on `code`, rather than
 * matching message strings. Created in JS so the stack points at the caller's code.
 */
export class RerankError extends Error {
    readonly code: RerankErrorCode;

    constructor(code: RerankErrorCode, message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = new.target.name;
        this.code = code;
    }
}
