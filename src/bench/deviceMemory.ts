import type { Reranker } from "../Reranker.js";

/**
 * What the driver reports for the devices that hold a Reranker's layers (ggml_backend_dev_memory,
 * read afresh by every describe()): total and used (total − free) bytes; null when the layers run on
 * the CPU. The bench's one reading of device memory, through the public describe().
 */
export function deviceMemory(reranker: Reranker): { total: number; used: number } | null {
    const devices = reranker.describe().placement?.devices ?? [];
    if (devices.length === 0) return null;
    return {
        total: devices.reduce((sum, device) => sum + device.totalBytes, 0),
        used: devices.reduce((sum, device) => sum + device.totalBytes - device.freeBytes, 0)
    };
}
