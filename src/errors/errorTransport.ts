import * as errorClasses from "./errors.js";
import { RerankError, type RerankErrorCode } from "./RerankError.js";

/**
 * Every RerankError class by its code. A Record over the code union: a new code without a class
 * here does not compile, and test/unit/errorTransport.test.ts checks that every exported class is
 * here, so an error can never cross a process boundary as a plain Error.
 */
const classByCode: Record<RerankErrorCode, abstract new (...args: never[]) => RerankError> = {
    ERR_INVALID_ARGUMENT: errorClasses.InvalidArgumentError,
    ERR_MODEL_NOT_FOUND: errorClasses.ModelNotFoundError,
    ERR_MODEL_DOWNLOAD: errorClasses.ModelDownloadError,
    ERR_INVALID_MODEL_FILE: errorClasses.InvalidModelFileError,
    ERR_UNSUPPORTED_MODEL: errorClasses.UnsupportedModelError,
    ERR_MODEL_LOAD: errorClasses.ModelLoadError,
    ERR_NATIVE_ADDON: errorClasses.NativeAddonError,
    ERR_BACKEND: errorClasses.BackendError,
    ERR_DECODE: errorClasses.DecodeError,
    ERR_NON_FINITE_SCORE: errorClasses.NonFiniteScoreError,
    ERR_SEQUENCE_TOO_LONG: errorClasses.SequenceTooLongError,
    ERR_PROMPT_MISMATCH: errorClasses.PromptMismatchError,
    ERR_DISPOSED: errorClasses.DisposedError,
    ERR_MISSING_DEV_DEPENDENCY: errorClasses.MissingDevDependencyError,
    ERR_ABORTED: errorClasses.AbortedError,
    ERR_GPU_UNAVAILABLE: errorClasses.GpuUnavailableError,
    ERR_INSUFFICIENT_MEMORY: errorClasses.InsufficientMemoryError,
    ERR_BACKEND_CRASHED: errorClasses.BackendCrashedError,
    ERR_BACKEND_UNAVAILABLE: errorClasses.BackendUnavailableError,
    ERR_REMOTE_HTTP: errorClasses.RemoteHttpError,
    ERR_REMOTE_UNAVAILABLE: errorClasses.RemoteUnavailableError,
    ERR_REMOTE_TIMEOUT: errorClasses.RemoteTimeoutError,
    ERR_REMOTE_RESPONSE: errorClasses.RemoteResponseError
};

export const rerankErrorCodes = Object.keys(classByCode) as RerankErrorCode[];

/** The class that owns a code. */
export function errorClassOf(code: RerankErrorCode): abstract new (...args: never[]) => RerankError {
    return classByCode[code];
}

/**
 * The one way to ask "is this ours?": a RerankError (revived ones included), and with `code`,
 * that code. Node's own errors (ERR_INVALID_ARG_TYPE, ...) are never ours.
 */
export function isRerankError<C extends RerankErrorCode>(error: unknown, code?: C): error is RerankError & { code: C } {
    return error instanceof RerankError && (code === undefined || error.code === code);
}

/** An error as plain, structured-cloneable data: its class's code, message, stack and own fields. */
export type SerializedError = {
    name: string;
    message: string;
    stack?: string;
    /** Present for our errors: the class to revive. */
    code?: RerankErrorCode;
    /** The class's own fields (pairIndex, gpu, exitCode, ...), each a plain value. */
    fields?: Record<string, unknown>;
    cause?: SerializedError;
};

export function serializeError(error: unknown, depth = 0): SerializedError {
    if (!(error instanceof Error)) return { name: "Error", message: String(error) };
    const serialized: SerializedError = { name: error.name, message: error.message, stack: error.stack };
    if (isRerankError(error) && error.code in classByCode) {
        serialized.code = error.code;
        const fields: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(error)) {
            if (key === "code" || key === "name" || key === "message" || key === "stack" || key === "cause") continue;
            if (value === null || ["string", "number", "boolean", "undefined"].includes(typeof value)) fields[key] = value;
        }
        serialized.fields = fields;
    }
    if (error.cause !== undefined && depth < 4) serialized.cause = serializeError(error.cause, depth + 1);
    return serialized;
}

/**
 * The error again, in this process: our errors with their class, code and fields (instanceof works,
 * isRerankError(error, code) answers as it did where it was thrown); anything else as an Error with
 * its name and message. The stack is the thrower's, in the other process, with this side's below it.
 */
export function reviveError(serialized: SerializedError): Error {
    const cause = serialized.cause !== undefined ? reviveError(serialized.cause) : undefined;
    const errorClass = serialized.code !== undefined ? classByCode[serialized.code] : undefined;
    let error: Error;
    if (errorClass) {
        error = Object.create(errorClass.prototype as object) as RerankError;
        Object.defineProperty(error, "message", { value: serialized.message, writable: true, configurable: true });
        Object.defineProperty(error, "name", { value: serialized.name, writable: true, configurable: true, enumerable: true });
        Object.defineProperty(error, "code", { value: serialized.code, writable: false, configurable: true, enumerable: true });
        for (const [key, value] of Object.entries(serialized.fields ?? {})) {
            Object.defineProperty(error, key, { value, writable: false, configurable: true, enumerable: true });
        }
        if (cause !== undefined) Object.defineProperty(error, "cause", { value: cause, writable: true, configurable: true });
    } else {
        error = new Error(serialized.message, cause !== undefined ? { cause } : undefined);
        error.name = serialized.name;
    }
    const here = new Error().stack?.split("\n").slice(1).join("\n") ?? "";
    error.stack = `${serialized.stack ?? `${serialized.name}: ${serialized.message}`}\n    --- across the process boundary ---\n${here}`;
    return error;
}
