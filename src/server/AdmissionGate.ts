import { HttpError } from "./HttpError.js";

/**
 * Counts the scoring requests admitted and not yet answered. The Reranker takes every admitted
 * request at once (it queues or batches them itself); beyond the limit the server sheds load with
 * 503 and a Retry-After of about one recent request's duration, so clients back off instead of
 * piling up work nobody waits for.
 */
export class AdmissionGate {
    private readonly limit: number;
    private admitted = 0;
    private averageMs = 1000;

    constructor(limit: number) {
        this.limit = limit;
    }

    get active(): number {
        return this.admitted;
    }

    async run<T>(work: () => Promise<T>): Promise<T> {
        if (this.admitted >= this.limit) {
            const retryAfter = Math.min(60, Math.max(1, Math.ceil(this.averageMs / 1000)));
            throw new HttpError(503, "overloaded", `the server already holds ${this.limit} requests (serve --max-queued); retry after ${retryAfter} s`, {
                "Retry-After": String(retryAfter)
            });
        }
        this.admitted++;
        const started = performance.now();
        try {
            return await work();
        } finally {
            this.admitted--;
            // A moving average of the last few requests: the retry hint follows the current load.
            this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
        }
    }
}
