import type { AddonContext, AddonModel } from "./AddonTypes.js";
import type { AddonBufferMemory, AddonDevice, DeviceReportAddon } from "./DeviceTypes.js";

export type DeviceMemoryUse = {
    /** ggml's device name ("Vulkan0", "CUDA0"); "host" for host buffers that belong to no device. */
    device: string;
    host: boolean;
    modelBytes: number;
    contextBytes: number;
    computeBytes: number;
};

export type Placement = {
    /** Where llama.cpp put the offloaded layers: the model's devices (none: every layer on the CPU). */
    devices: { name: string; description: string; backend: string | null; freeBytes: number; totalBytes: number }[];
    layerCount: number;
    /** Repeating layers llama.cpp assigned to those devices (all of them when any device holds the model). */
    layersOffloaded: number;
    /** llama.cpp's own accounting of the buffers it allocated, by device; null where not readable. */
    memory: DeviceMemoryUse[] | null;
    /** Bytes held in GPU device memory (not host buffers): weights, KV cache, compute. */
    deviceBytesUsed: number | null;
};

/**
 * Reads where llama.cpp placed the model and what it allocated, from llama.cpp itself
 * (llama_model_get_device, llama_get_memory_breakdown) rather than from the option that was asked.
 * gpuLayers is what the model was loaded with: -1 offloads every layer to the model's devices.
 */
export function describePlacement(addon: DeviceReportAddon, model: AddonModel, context: AddonContext, layerCount: number, gpuLayers: number): Placement {
    const modelDevices: AddonDevice[] = addon.modelDevices(model) ?? [];
    const breakdown = addon.contextMemory(context);
    const memory = breakdown === null ? null : mergeByDevice(breakdown);
    const onDevices = memory?.filter((entry) => !entry.host && modelDevices.some((device) => device.name === entry.device)) ?? null;
    const layersOffloaded = modelDevices.length === 0 ? 0 : gpuLayers < 0 ? layerCount : Math.min(gpuLayers, layerCount);
    return {
        devices: modelDevices.map(({ name, description, backend, freeBytes, totalBytes }) => ({ name, description, backend, freeBytes, totalBytes })),
        layerCount,
        layersOffloaded,
        memory,
        deviceBytesUsed: onDevices === null ? null : onDevices.reduce((sum, entry) => sum + entry.modelBytes + entry.contextBytes + entry.computeBytes, 0)
    };
}

function mergeByDevice(entries: AddonBufferMemory[]): DeviceMemoryUse[] {
    const merged = new Map<string, DeviceMemoryUse>();
    for (const entry of entries) {
        const device = entry.host ? (entry.device !== null ? `${entry.device} host` : "host") : (entry.device ?? "host");
        const use = merged.get(device) ?? { device, host: entry.host, modelBytes: 0, contextBytes: 0, computeBytes: 0 };
        use.modelBytes += entry.modelBytes;
        use.contextBytes += entry.contextBytes;
        use.computeBytes += entry.computeBytes;
        merged.set(device, use);
    }
    return [...merged.values()];
}
