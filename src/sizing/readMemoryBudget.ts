import { freemem, totalmem } from "node:os";
import type { AddonDevice } from "../native/DeviceTypes.js";
import type { BackendDescription } from "../native/LlamaBackend.js";
import type { MemoryBudget } from "./sizeContext.js";

/**
 * Free memory where the context will live: the GPU devices of the backend (as their drivers
 * report it, through ggml_backend_dev_memory, the figure node-llama-cpp's getVramState sums), or
 * the system's available RAM on the CPU. listDevices reads the figures now; without it (an
 * isolated backend) they are the ones the backend read when it started.
 */
export function readMemoryBudget(backend: BackendDescription, listDevices?: () => AddonDevice[]): MemoryBudget {
    const gpuDevices = new Set(backend.devices.map((device) => device.name));
    if (backend.gpu !== false && gpuDevices.size > 0) {
        const devices = (listDevices?.() ?? backend.devices).filter((device) => gpuDevices.has(device.name));
        return {
            kind: "vram",
            devices: devices.map((device) => `${device.name} (${device.description})`),
            freeBytes: devices.reduce((sum, device) => sum + device.freeBytes, 0),
            totalBytes: devices.reduce((sum, device) => sum + device.totalBytes, 0),
            source: listDevices ? "ggml_backend_dev_memory" : "ggml_backend_dev_memory, when the isolated backend started"
        };
    }
    // libuv reads MemAvailable on Linux: page cache (an mmapped model included) counts as free.
    return { kind: "ram", devices: ["system RAM"], freeBytes: freemem(), totalBytes: totalmem(), source: "os.freemem()" };
}
