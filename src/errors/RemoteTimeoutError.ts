import { RerankError } from "./RerankError.js";

/** The rerank server did not answer within the client's timeout (retries included). */
export class RemoteTimeoutError extends RerankError {
    readonly url: string;
    readonly timeoutMs: number;

    constructor(url: string, timeoutMs: number) {
        super("ERR_REMOTE_TIMEOUT", `${url} did not answer within ${timeoutMs} ms`);
        this.url = url;
        this.timeoutMs = timeoutMs;
    }
}
