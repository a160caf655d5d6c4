import { RerankError } from "./RerankError.js";

/** A model URI could not be downloaded (network, HTTP status, disk). */
export class ModelDownloadError extends RerankError {
    readonly uri: string;

    constructor(uri: string, reason: string, cause?: unknown) {
        super("ERR_MODEL_DOWNLOAD", `could not download ${uri}: ${reason}`, { cause });
        this.uri = uri;
    }
}
