import { RerankError } from "./RerankError.js";

export class NativeAddonError extends RerankError {
    constructor(message: string, cause?: unknown) {
        super("ERR_NATIVE_ADDON", message, { cause });
    }
}
