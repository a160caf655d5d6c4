import { expectInteger, invalidArgument, isPlainObject } from "../utils/validate.js";

/** What one server accepts, each settable by a `serve` flag. The defaults are documented in the README. */
export type ServerLimits = {
    /** Largest request body, in bytes (413 beyond it). */
    maxBodyBytes: number;
    /** Most documents (or texts, or text_2 entries) in one request (413 beyond it). */
    maxDocuments: number;
    /** A request still unanswered after this long is cancelled and answered 503; 0: no limit. */
    requestTimeoutMs: number;
    /** Scoring requests admitted at once; one more is answered 503 with Retry-After. */
    maxQueuedRequests: number;
    /** On close(), how long in-flight requests may finish before they are cancelled. */
    shutdownGraceMs: number;
};

export const defaultServerLimits: ServerLimits = {
    maxBodyBytes: 10 * 2 ** 20,
    maxDocuments: 1000,
    requestTimeoutMs: 300_000,
    maxQueuedRequests: 64,
    shutdownGraceMs: 10_000
};

/** The defaults with the given limits over them; an absent or undefined limit keeps its default. */
export function resolveServerLimits(limits: Partial<ServerLimits> | undefined): ServerLimits {
    if (limits === undefined) return { ...defaultServerLimits };
    if (!isPlainObject(limits)) throw invalidArgument("limits", "an object", limits);
    const pick = (name: keyof ServerLimits, min: number) =>
        limits[name] === undefined ? defaultServerLimits[name] : expectInteger(`limits.${name}`, limits[name], min);
    return {
        maxBodyBytes: pick("maxBodyBytes", 1),
        maxDocuments: pick("maxDocuments", 1),
        requestTimeoutMs: pick("requestTimeoutMs", 0),
        maxQueuedRequests: pick("maxQueuedRequests", 1),
        shutdownGraceMs: pick("shutdownGraceMs", 0)
    };
}
