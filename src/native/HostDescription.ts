import type { ArithmeticPrecision, GpuApi } from "./arithmeticPrecision.js";
import type { BlasDescription } from "./describeBlas.js";
import type { AddonDevice } from "./DeviceTypes.js";
import type { AddonBinary } from "./loadAddon.js";

export type GpuOption = "auto" | "cuda" | "metal" | "vulkan" | false;

/** "auto": a local build (llm-rerank build-llama) when one exists, else the prebuilt binaries. */
export type LlamaBuildOption = "auto" | "prebuilt" | "local";

/** The llama.cpp a ModelHost runs: which binary, which devices, which arithmetic, in which process. */
export type HostDescription = {
    /**
     * The GPU API whose devices take the model's layers, or false when they run on the CPU. Never
     * an API that found no device: see binary and fallback.
     */
    gpu: GpuApi | false;
    /** The node-llama-cpp binary that was loaded, named by its GPU API even where that API found no device. */
    binary: GpuApi | false;
    /** Why the layers run on the CPU although gpu "auto" loaded a GPU binary; absent otherwise. */
    fallback?: string;
    /** The GPU devices of that API that ggml registered: name, driver's description, memory. */
    devices: AddonDevice[];
    /** What the matrix products compute in on that backend. */
    arithmetic: ArithmeticPrecision;
    /** "prebuilt" binaries shipped with node-llama-cpp, or a "localBuild" made on this machine. */
    build: "prebuilt" | "localBuild";
    libllamaPath: string;
    /** ggml's BLAS backend and its library (llm-rerank build-llama --blas), or null: ggml's own CPU matmuls. */
    blas: BlasDescription | null;
    /** Our own addon: the prebuilt binary shipped in the package, one compiled here, or an override. */
    addon: AddonBinary;
    cpuMathCores: number;
    systemInfo: string;
    /** "in-process", or "process": llama.cpp runs in a child process (isolation: "process"). */
    isolation: "in-process" | "process";
    /** The child's process id, in isolation "process" (where the platform gives one). */
    childPid?: number;
};

/** The name describe().backend has always had. */
export type BackendDescription = HostDescription;
