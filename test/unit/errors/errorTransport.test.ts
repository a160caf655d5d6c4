import { describe, expect, it } from "vitest";
import * as errors from "../../../src/errors/errors.js";
import { errorClassOf, isRerankError, rerankErrorCodes, reviveError, serializeError } from "../../../src/errors/errorTransport.js";
import { RerankError } from "../../../src/errors/RerankError.js";

/** One instance of every exported error class, built through its real constructor. */
function sampleOf(name: string): RerankError {
    const cause = new Error("inner");
    switch (name) {
        case "GpuUnavailableError":
            return new errors.GpuUnavailableError("cuda", "no CUDA here", cause);
        case "BackendCrashedError":
            return new errors.BackendCrashedError(null, "SIGABRT", "test");
        case "NonFiniteScoreError":
            return new errors.NonFiniteScoreError(3, Number.NaN, "pair 3; profile p");
        case "SequenceTooLongError":
            return new errors.SequenceTooLongError(2, 900, 512);
        case "InsufficientMemoryError":
            return new errors.InsufficientMemoryError("too big", 10, 5);
        case "InvalidModelFileError":
            return new errors.InvalidModelFileError("/m.gguf", "truncated", cause);
        case "ModelNotFoundError":
            return new errors.ModelNotFoundError("/m.gguf");
        case "ModelDownloadError":
            return new errors.ModelDownloadError("hf:a/b/c.gguf", "404");
        case "MissingDevDependencyError":
            return new errors.MissingDevDependencyError("pkg", "Something needs it");
        case "RemoteHttpError":
            return new errors.RemoteHttpError("http://127.0.0.1:1/v1/rerank", 503, "busy");
        case "RemoteResponseError":
            return new errors.RemoteResponseError("http://127.0.0.1:1", "no results");
        case "RemoteTimeoutError":
            return new errors.RemoteTimeoutError("http://127.0.0.1:1", 1000);
        case "RemoteUnavailableError":
            return new errors.RemoteUnavailableError("http://127.0.0.1:1", 3, cause);
        case "DisposedError":
            return new errors.DisposedError("this Reranker");
        case "AbortedError":
            return new errors.AbortedError("stop");
        default: {
            const ErrorClass = (errors as unknown as Record<string, new (message: string) => RerankError>)[name]!;
            return new ErrorClass("a message");
        }
    }
}

const exportedClasses = Object.entries(errors).filter(([, value]) => typeof value === "function" && value.prototype instanceof RerankError);

describe("errors across a process boundary", () => {
    it("knows every exported error class, and every code has exactly one class", () => {
        expect(exportedClasses.length).toBeGreaterThanOrEqual(22);
        const codes = exportedClasses.map(([name]) => sampleOf(name).code);
        expect(new Set(codes).size).toBe(codes.length);
        expect([...codes].sort()).toEqual([...rerankErrorCodes].sort());
        for (const [name, errorClass] of exportedClasses) expect(errorClassOf(sampleOf(name).code), name).toBe(errorClass);
    });

    it.each(exportedClasses.map(([name]) => name))("revives %s with its class, code, message and fields after structured cloning", (name) => {
        const original = sampleOf(name);
        const revived = reviveError(structuredClone(serializeError(original)));
        expect(revived).toBeInstanceOf((errors as unknown as Record<string, new (...args: never[]) => Error>)[name]!);
        expect(revived).toBeInstanceOf(RerankError);
        expect(revived.name).toBe(name);
        expect(revived.message).toBe(original.message);
        expect(isRerankError(revived, original.code)).toBe(true);
        // Every own field of the original (pairIndex, gpu, exitCode, url, ...) comes back equal.
        for (const [key, value] of Object.entries(original))
            if (key !== "stack") expect((revived as unknown as Record<string, unknown>)[key], key).toEqual(value);
        expect(revived.stack).toContain(original.stack!.split("\n")[0]);
    });

    it("keeps a foreign error a plain Error with its name and message", () => {
        const typeError = new TypeError("bad");
        const revived = reviveError(structuredClone(serializeError(typeError)));
        expect(revived).not.toBeInstanceOf(RerankError);
        expect(revived).toMatchObject({ name: "TypeError", message: "bad" });
        expect(isRerankError(revived)).toBe(false);
        expect(serializeError("a string").message).toBe("a string");
    });

    it("answers isRerankError for ours only: never for Node's own ERR_ codes", () => {
        const nodeError = Object.assign(new Error("bad arg"), { code: "ERR_INVALID_ARG_TYPE" });
        expect(isRerankError(nodeError)).toBe(false);
        expect(isRerankError(new errors.AbortedError())).toBe(true);
        expect(isRerankError(new errors.AbortedError(), "ERR_ABORTED")).toBe(true);
        expect(isRerankError(new errors.AbortedError(), "ERR_DISPOSED")).toBe(false);
        expect(isRerankError(undefined)).toBe(false);
    });

    it("revives a cause chain", () => {
        const outer = new errors.ModelLoadError("could not load", new errors.InvalidModelFileError("/m.gguf", "truncated"));
        const revived = reviveError(structuredClone(serializeError(outer)));
        expect(revived.cause).toBeInstanceOf(errors.InvalidModelFileError);
        expect((revived.cause as errors.InvalidModelFileError).path).toBe("/m.gguf");
    });
});
