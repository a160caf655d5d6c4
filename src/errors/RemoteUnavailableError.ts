import { RerankError } from "./RerankError.js";

/** No connection to the rerank server could be made (refused, unknown host, reset before an answer). */
export class RemoteUnavailableError extends RerankError {
    readonly url: string;
    readonly attempts: number;

    constructor(url: string, attempts: number, cause: unknown) {
        const detail = describeCause(cause);
        super("ERR_REMOTE_UNAVAILABLE", `could not reach ${url} (${attempts} attempt${attempts === 1 ? "" : "s"}): ${detail}`, { cause });
        this.url = url;
        this.attempts = attempts;
    }
}

function describeCause(cause: unknown): string {
    const inner = (cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    return inner?.code ?? inner?.message ?? (cause instanceof Error ? cause.message : String(cause));
}
