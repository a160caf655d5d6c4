import { expectInteger, invalidArgument, isPlainObject } from "../utils/validate.js";

/** What one server accepts, each settable by a `serve` flag. The defaults are documented in docs/server.md. */
export type ServerLimits = {
    /** Largest request body, in bytes (413 beyond it). */
    maxBodyBytes: number;
    /** Most documents (or texts, or text_2 entries) in one request (413 beyond it). */
    maxDocuments: number;
    /**
     * Most text one request makes the model read: the UTF-8 bytes of query + document, summed over
     * every pair it scores (413 beyond it, before any scoring). A body repeats its query once, but
     * the model reads it once per document: this bounds that amplification.
     */
    maxInputBytes: number;
    /** A request still unanswered after this long is cancelled and answered 503; 0: no limit. */
    requestTimeoutMs: number;
    /** Scoring requests admitted at once; one more is answered 503 with Retry-After. */
    maxQueuedRequests: number;
    /** On close(), how long in-flight requests may finish before they are cancelled. */
    shutdownGraceMs: number;
    /** Open connections at once (node's server.maxConnections); one more is closed as soon as it is accepted. */
    maxConnections: number;
    /** A connection must send a request's complete headers within this long, or it is answered 408 and closed. */
    headersTimeoutMs: number;
    /** A kept-alive connection idle for this long after an answer is closed. */
    keepAliveTimeoutMs: number;
};

export const defaultServerLimits: ServerLimits = {
    maxBodyBytes: 10 * 2 ** 20,
    maxDocuments: 1000,
    maxInputBytes: 16 * 2 ** 20,
    requestTimeoutMs: 300_000,
    maxQueuedRequests: 64,
    shutdownGraceMs: 10_000,
    maxConnections: 256,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000
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
        maxInputBytes: pick("maxInputBytes", 1),
        requestTimeoutMs: pick("requestTimeoutMs", 0),
        maxQueuedRequests: pick("maxQueuedRequests", 1),
        shutdownGraceMs: pick("shutdownGraceMs", 0),
        maxConnections: pick("maxConnections", 1),
        headersTimeoutMs: pick("headersTimeoutMs", 1),
        keepAliveTimeoutMs: pick("keepAliveTimeoutMs", 1)
    };
}

/**
 * How long node's http server gives a connection to deliver a whole request (headers and body).
 * The server's own timer (requestTimeoutMs, started once the headers are in) answers a stalled
 * upload first, with a JSON 503; this is only the backstop behind it, and the upload bound when
 * requestTimeoutMs is 0 (scoring unbounded, uploads still not).
 */
export function uploadDeadlineMs(limits: ServerLimits): number {
    return limits.requestTimeoutMs > 0 ? limits.requestTimeoutMs + limits.headersTimeoutMs + 1000 : Math.max(300_000, limits.headersTimeoutMs);
}
