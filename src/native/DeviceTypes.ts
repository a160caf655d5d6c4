// The addon's device surface (native/DeviceReport.cc): ggml's backend registry and llama.cpp's
// memory accounting. Kept apart from AddonTypes.ts, which another change is reshaping; both
// describe the same loaded binding.
import type { AddonContext, AddonModel } from "./AddonTypes.js";

export type AddonDeviceType = "cpu" | "gpu" | "igpu" | "accel" | "unknown";

export type AddonDevice = {
    /** ggml's device name, e.g. "Vulkan0", "CUDA0", "MTL0", "CPU". */
    name: string;
    /** The driver's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" or "NVIDIA H100 80GB HBM3". */
    description: string;
    type: AddonDeviceType;
    /** The ggml backend that registered it: "Vulkan", "CUDA", "Metal", "CPU", … */
    backend: string | null;
    /** PCI bus id where the backend reports one. */
    deviceId: string | null;
    /** As the driver reports them; some drivers (Mesa llvmpipe) report free = total at all times. */
    freeBytes: number;
    totalBytes: number;
};

/** One buffer type of llama.cpp's own accounting (llama_get_memory_breakdown). */
export type AddonBufferMemory = {
    bufferType: string;
    /** The device the buffer type allocates on (null for some host buffer types). */
    device: string | null;
    host: boolean;
    modelBytes: number;
    contextBytes: number;
    computeBytes: number;
};

export interface DeviceReportAddon {
    /** Resolves the entry points from the loaded libllama; returns optional names that are missing. */
    bindDeviceReport(libraryPath: string): string[];
    listDevices(): AddonDevice[];
    /** The devices llama.cpp assigned the model's offloaded layers to; null when not readable. */
    modelDevices(model: AddonModel): AddonDevice[] | null;
    /** null when llama.cpp's breakdown is not readable from this build. */
    contextMemory(context: AddonContext): AddonBufferMemory[] | null;
}
