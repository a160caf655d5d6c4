import { RerankError } from "./RerankError.js";

/** A rerank server answered with an HTTP error; `status` and the server's own message tell why. */
export class RemoteHttpError extends RerankError {
    readonly status: number;
    readonly url: string;
    /** The server's error message, when its body had one. */
    readonly serverMessage: string | undefined;

    constructor(url: string, status: number, serverMessage: string | undefined) {
        super("ERR_REMOTE_HTTP", `${url} answered HTTP ${status}${serverMessage ? `: ${serverMessage}` : ""}`);
        this.status = status;
        this.url = url;
        this.serverMessage = serverMessage;
    }
}
