import { RerankError } from "./RerankError.js";

/** A parameter was of the wrong type or out of range; the message names it, what was expected and what was given. */
export class InvalidArgumentError extends RerankError {
    constructor(message: string) {
        super("ERR_INVALID_ARGUMENT", message);
    }
}

export class ModelNotFoundError extends RerankError {
    readonly path: string;

    constructor(path: string, cause?: unknown) {
        super("ERR_MODEL_NOT_FOUND", `model file not found: ${path}`, { cause });
        this.path = path;
    }
}

/** The file is not a readable GGUF, or its contents would make llama.cpp abort. */
export class InvalidModelFileError extends RerankError {
    readonly path: string;

    constructor(path: string, reason: string, cause?: unknown) {
        super("ERR_INVALID_MODEL_FILE", `${path} is not a valid GGUF model: ${reason}`, { cause });
        this.path = path;
    }
}

/** A valid GGUF that no model profile can serve (another architecture, no "Yes" token, ...). */
export class UnsupportedModelError extends RerankError {
    constructor(message: string) {
        super("ERR_UNSUPPORTED_MODEL", message);
    }
}

export class ModelLoadError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_MODEL_LOAD", message, { cause });
    }
}

export class NativeAddonError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_NATIVE_ADDON", message, { cause });
    }
}

export class BackendError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_BACKEND", message, { cause });
    }
}

export class DecodeError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_DECODE", message, { cause });
    }
}

/** The model produced NaN or ±Infinity for a pair: never returned as a score, never sorted. */
export class NonFiniteScoreError extends RerankError {
    readonly pairIndex: number;
    readonly value: number;

    /** detail names the item first ("pair 3"), then the profile and the precision in use. */
    constructor(pairIndex: number, value: number, detail: string) {
        super("ERR_NON_FINITE_SCORE", `the model produced a non-finite score (${value}) for ${detail}`);
        this.pairIndex = pairIndex;
        this.value = value;
    }
}

export class SequenceTooLongError extends RerankError {
    readonly sequenceIndex: number;

    constructor(sequenceIndex: number, length: number, limit: number) {
        super("ERR_SEQUENCE_TOO_LONG", `sequence ${sequenceIndex} has ${length} tokens; this reranker holds at most ${limit} per sequence`);
        this.sequenceIndex = sequenceIndex;
    }
}

export class PromptMismatchError extends RerankError {
    constructor(message: string) {
        super("ERR_PROMPT_MISMATCH", message);
    }
}

export class DisposedError extends RerankError {
    constructor(what: string) {
        super("ERR_DISPOSED", `${what} is disposed`);
    }
}

export class MissingDevDependencyError extends RerankError {
    constructor(packageName: string, purpose: string) {
        super("ERR_MISSING_DEV_DEPENDENCY", `${purpose} needs the package ${packageName}, which is not installed. Run: npm install -D ${packageName}`);
    }
}
