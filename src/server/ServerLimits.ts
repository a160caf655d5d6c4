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
