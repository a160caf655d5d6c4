import { RerankError } from "./RerankError.js";

/** A `gpu` value that this machine cannot meet ("cuda" with no CUDA device): never a silent CPU fallback. */
export class GpuUnavailableError extends RerankError {
    readonly gpu: string;

    constructor(gpu: string, message: string, cause?: unknown) {
        super("ERR_GPU_UNAVAILABLE", message, { cause });
        this.gpu = gpu;
    }
}
