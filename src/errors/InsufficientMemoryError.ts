import { RerankError } from "./RerankError.js";

/**
 * The model, or one KV slot next to it, does not fit in the device's free memory (VRAM, or RAM on
 * the CPU). Raised before llama.cpp is asked to allocate, since a failed allocation inside
 * llama.cpp can abort the process.
 */
export class InsufficientMemoryError extends RerankError {
    readonly neededBytes: number;
    readonly freeBytes: number;

    constructor(message: string, neededBytes: number, freeBytes: number) {
        super("ERR_INSUFFICIENT_MEMORY", message);
        this.neededBytes = neededBytes;
        this.freeBytes = freeBytes;
    }
}
