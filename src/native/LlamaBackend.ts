import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { BackendError } from "../errors/errors.js";
import type { AddonContext, AddonContextOptions, AddonModel, LlmRerankAddon, ModelHost } from "./AddonTypes.js";
import { describeBlas, type BlasDescription } from "./describeBlas.js";
import { findLoadedLibllamas } from "./findLoadedLibllama.js";
import { llamaSelectionOptions } from "./llamaSelectionOptions.js";
import { loadAddon, loadedAddonBinary, type AddonBinary } from "./loadAddon.js";
import { readLocalBuildRecord } from "./LocalBuildRecord.js";

export type GpuOption = "auto" | "cuda" | "metal" | "vulkan" | false;

/** "auto": a local build (llm-rerank build-llama) when one exists, else the prebuilt binaries. */
export type LlamaBuildOption = "auto" | "prebuilt" | "local";

export type BackendDescription = {
    /** The GPU API node-llama-cpp selected, or false for CPU only. */
    gpu: "cuda" | "metal" | "vulkan" | false;
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
};

/**
 * node-llama-cpp's llama.cpp, shared with our addon. node-llama-cpp picks and loads the binaries
 * (GPU detection, CPU variant, local build or prebuilt); the addon then binds to that same libllama,
 * so there is never a second copy of llama.cpp in the process.
 */
export class LlamaBackend implements ModelHost {
    private static readonly backends = new Map<string, Promise<LlamaBackend>>();

    readonly addon: LlmRerankAddon;
    readonly llama: Llama;
    readonly description: BackendDescription;

    private constructor(addon: LlmRerankAddon, llama: Llama, description: BackendDescription) {
        this.addon = addon;
        this.llama = llama;
        this.description = description;
    }

    loadModel(path: string, gpuLayers: number): Promise<AddonModel> {
        return this.addon.loadModel(path, gpuLayers);
    }

    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext> {
        return this.addon.createContext(model, options);
    }

    /** The backend is shared by every in-process Reranker and lives as long as the process. */
    async release(): Promise<void> {}

    static get(gpu: GpuOption, build: LlamaBuildOption = "auto"): Promise<LlamaBackend> {
        const key = `${String(gpu)}/${build}`;
        let backend = LlamaBackend.backends.get(key);
        if (!backend) {
            backend = LlamaBackend.create(gpu, build);
            LlamaBackend.backends.set(key, backend);
            backend.catch(() => LlamaBackend.backends.delete(key));
        }
        return backend;
    }

    private static async create(gpu: GpuOption, build: LlamaBuildOption): Promise<LlamaBackend> {
        const addon = loadAddon();
        const recorded = build === "prebuilt" ? { problem: undefined } : readLocalBuildRecord();
        let llama: Llama;
        try {
            // build "never": use a local build when one exists, else the prebuilt binaries, and never
            // start a compiler inside a user's app. node-llama-cpp looks for a local build under a
            // name derived from the custom CMake options, which the build record supplies.
            const selection = llamaSelectionOptions(build, recorded.record, process.env);
            llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false, ...selection });
        } catch (error) {
            const hint = build === "local" ? ` (is there a local build? run \`llm-rerank build-llama\`${recorded.problem ? `; ${recorded.problem}` : ""})` : "";
            throw new BackendError(`node-llama-cpp could not load llama.cpp for gpu=${String(gpu)}, build=${build}${hint}: ${(error as Error).message}`, error);
        }
        const loadedBuild = llama.buildType === "localBuild" ? "local" : "prebuilt";
        if (build !== "auto" && loadedBuild !== build) {
            throw new BackendError(`asked for the ${build} llama.cpp build, node-llama-cpp loaded the ${loadedBuild} one`);
        }
        const libraries = findLoadedLibllamas();
        if (libraries.length !== 1) {
            throw new BackendError(
                libraries.length === 0
                    ? "node-llama-cpp loaded no libllama that this process can see"
                    : `more than one libllama is loaded (${libraries.join(", ")}); use one gpu setting per process`
            );
        }
        const libllamaPath = libraries[0]!;
        let systemInfo: string;
        try {
            systemInfo = addon.bindLibllama(libllamaPath);
        } catch (error) {
            throw new BackendError(`the addon could not bind to ${libllamaPath}: ${(error as Error).message}`, error);
        }
        return new LlamaBackend(addon, llama, {
            gpu: llama.gpu,
            build: llama.buildType === "localBuild" ? "localBuild" : "prebuilt",
            libllamaPath,
            blas: describeBlas(llama.cmakeOptions),
            addon: loadedAddonBinary(),
            cpuMathCores: llama.cpuMathCores,
            systemInfo,
            isolation: "in-process"
        });
    }
}
