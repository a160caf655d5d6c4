import type { BackendCrashedError } from "../errors/BackendCrashedError.js";
import type { BackendUnavailableError } from "../errors/BackendUnavailableError.js";
import { isRerankError } from "../errors/errorTransport.js";
import { AbortedError, DisposedError, InvalidArgumentError, SequenceTooLongError } from "../errors/errors.js";
import { RerankError } from "../errors/RerankError.js";
import { AbortReason } from "./AbortReason.js";
import { HttpError } from "./HttpError.js";

/**
 * Maps whatever request handling threw to the HTTP error it means. Input the library refuses is
 * the client's to fix (422); a cancelled request is the server's state (503); anything else is a
 * server fault (500), reported with the library's error code and never with a stack.
 */
export function httpErrorFor(error: unknown, signal: AbortSignal): HttpError {
    if (error instanceof HttpError) return error;
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if (reason instanceof AbortReason || error instanceof AbortReason) {
        const why = reason instanceof AbortReason ? reason : (error as AbortReason);
        return new HttpError(503, why.kind === "timeout" ? "timeout" : "shutting_down", why.message, why.kind === "timeout" ? {} : { "Retry-After": "5" });
    }
    // The llama.cpp process died under this request (isolation "process"): the supervisor is starting a new one.
    if (isRerankError(error, "ERR_BACKEND_CRASHED")) {
        const { signal: exitSignal, exitCode } = error as BackendCrashedError;
        const how = exitSignal ? `signal ${exitSignal}` : `exit code ${exitCode}`;
        return new HttpError(
            503,
            "backend_crashed",
            `the llama.cpp process exited (${how}) while this request was being scored; retry once GET /health answers 200 (a supervised server starts a new one)`,
            { "Retry-After": "1" }
        );
    }
    // No llama.cpp process right now (restarting, or the restarts failed): GET /health says why.
    if (isRerankError(error, "ERR_BACKEND_UNAVAILABLE")) {
        const { retryAfterSeconds } = error as BackendUnavailableError;
        return new HttpError(503, "backend_unavailable", error.message, retryAfterSeconds !== null ? { "Retry-After": String(retryAfterSeconds) } : {});
    }
    if (error instanceof InvalidArgumentError || error instanceof SequenceTooLongError) return new HttpError(422, "invalid_request", error.message);
    if (error instanceof DisposedError || error instanceof AbortedError)
        return new HttpError(503, "shutting_down", "the server is shutting down", { "Retry-After": "5" });
    if (error instanceof RerankError) return new HttpError(500, error.code.toLowerCase(), error.message);
    return new HttpError(500, "internal_error", "the server failed to answer this request; its log has the details");
}
