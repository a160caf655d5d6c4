import { freemem, totalmem } from "node:os";
import type { AddonDevice } from "../native/DeviceTypes.js";
import type { HostDescription } from "../native/HostDescription.js";
import type { MemoryBudget } from "./sizeContext.js";

/**
 * Free memory where the context will live: the host's GPU devices (as their drivers report it,
 * through ggml_backend_dev_memory, read now by ModelHost.readDevices(), the figure
 * node-llama-cpp's getVramState sums), or the system's available RAM on the CPU.
 */
export function readMemoryBudget(host: HostDescription, devicesNow: AddonDevice[]): MemoryBudget {
    const gpuDevices = new Set(host.devices.map((device) => device.name));
    if (host.gpu !== false && gpuDevices.size > 0) {
        const devices = devicesNow.filter((device) => gpuDevices.has(device.name));
        return {
            kind: "vram",
            devices: devices.map((device) => `${device.name} (${device.description})`),
            freeBytes: devices.reduce((sum, device) => sum + device.freeBytes, 0),
            totalBytes: devices.reduce((sum, device) => sum + device.totalBytes, 0),
            source: host.isolation === "process" ? "ggml_backend_dev_memory, in the child process" : "ggml_backend_dev_memory"
        };
    }
    // libuv reads MemAvailable on Linux: page cache (an mmapped model included) counts as free.
    return { kind: "ram", devices: ["system RAM"], freeBytes: freemem(), totalBytes: totalmem(), source: "os.freemem()" };
}
