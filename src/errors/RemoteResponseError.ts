import { RerankError } from "./RerankError.js";

/** The rerank server answered 2xx, but not in a shape RemoteReranker reads (or with scores it cannot trust). */
export class RemoteResponseError extends RerankError {
    readonly url: string;

    constructor(url: string, message: string) {
        super("ERR_REMOTE_RESPONSE", `${url} answered in an unexpected shape: ${message}`);
        this.url = url;
    }
}
