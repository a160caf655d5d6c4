import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { BackendError, GpuUnavailableError } from "../errors/errors.js";
import type { AddonContext, AddonContextOptions, AddonModel, LlmRerankAddon, ModelHost } from "./AddonTypes.js";
import { applyArithmeticSwitches, describeArithmetic, vulkanDisableF16, type GpuApi } from "./arithmeticPrecision.js";
import type { AddonDevice, DeviceReportAddon } from "./DeviceTypes.js";
import { describeBlas } from "./describeBlas.js";
import { describePlacement, type Placement } from "./describePlacement.js";
import type { GpuOption, HostDescription, LlamaBuildOption } from "./HostDescription.js";
import { findLoadedLibllamas } from "./findLoadedLibllama.js";
import { llamaSelectionOptions } from "./llamaSelectionOptions.js";
import { loadAddon, loadedAddonBinary } from "./loadAddon.js";
import { readLocalBuildRecord } from "./LocalBuildRecord.js";

/**
 * node-llama-cpp's llama.cpp, shared with our addon. node-llama-cpp picks and loads the binaries
 * (GPU detection, CPU variant, local build or prebuilt); the addon then binds to that same libllama,
 * so there is never a second copy of llama.cpp in the process.
 */
export class InProcessHost implements ModelHost {
    private static readonly hosts = new Map<string, Promise<InProcessHost>>();

    /** The llama.cpp build this process loaded, once a host is up (one libllama per process). */
    static loadedBuild: "prebuilt" | "local" | undefined;

    /** Whether ggml-vulkan started with FP16 off in this process; it reads the switch once. */
    private static vulkanF16DisabledAtStart: boolean | undefined;

    private readonly addon: LlmRerankAddon & DeviceReportAddon;
    readonly llama: Llama;
    readonly description: HostDescription;

    private constructor(addon: LlmRerankAddon & DeviceReportAddon, llama: Llama, description: HostDescription) {
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

    async readDevices(): Promise<AddonDevice[]> {
        return this.addon.listDevices();
    }

    async readPlacement(model: AddonModel, context: AddonContext, gpuLayers: number): Promise<Placement> {
        return describePlacement(this.addon, model, context, model.describe().layerCount, gpuLayers);
    }

    /** The host is shared by every in-process Reranker and lives as long as the process. */
    async release(): Promise<void> {}

    /** fp16Arithmetic: let Vulkan (and CUDA's cuBLAS) compute in FP16/TF32 instead of F32. */
    static get(gpu: GpuOption, build: LlamaBuildOption = "auto", fp16Arithmetic = false): Promise<InProcessHost> {
        const key = `${String(gpu)}/${build}/${fp16Arithmetic ? "fp16" : "f32"}`;
        let host = InProcessHost.hosts.get(key);
        if (!host) {
            host = InProcessHost.create(gpu, build, fp16Arithmetic);
            InProcessHost.hosts.set(key, host);
            host.catch(() => InProcessHost.hosts.delete(key));
        }
        return host;
    }

    private static async create(gpu: GpuOption, build: LlamaBuildOption, fp16Arithmetic: boolean): Promise<InProcessHost> {
        const addon = loadAddon() as LlmRerankAddon & DeviceReportAddon;
        // Before node-llama-cpp loads a backend: ggml reads these switches once, when it starts.
        applyArithmeticSwitches(gpu, fp16Arithmetic);
        const recorded = build === "prebuilt" ? { problem: undefined } : readLocalBuildRecord();
        let llama: Llama;
        try {
            // build "never": use a local build when one exists, else the prebuilt binaries, and never
            // start a compiler inside a user's app. node-llama-cpp looks for a local build under a
            // name derived from the custom CMake options, which the build record supplies.
            const selection = llamaSelectionOptions(build, recorded.record, process.env);
            llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false, ...selection });
        } catch (error) {
            if (gpu !== "auto" && gpu !== false) {
                throw new GpuUnavailableError(
                    gpu,
                    `gpu "${gpu}" was asked for, but node-llama-cpp could not load its ${gpu} build here: ${(error as Error).message}`,
                    error
                );
            }
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
        try {
            addon.bindDeviceReport(libllamaPath);
        } catch (error) {
            throw new BackendError(`the addon could not read ggml's devices from ${libllamaPath}: ${(error as Error).message}`, error);
        }
        const binary = llama.gpu;
        const devices = binary === false ? [] : addon.listDevices().filter((device) => isDeviceOf(binary, device));
        if (gpu !== "auto" && gpu !== false && (binary !== gpu || devices.length === 0)) {
            throw new GpuUnavailableError(gpu, `gpu "${gpu}" was asked for, but ${noDeviceReason(gpu, binary)}`);
        }
        const placement = binary !== false && devices.length > 0 ? binary : false;
        if (binary === "vulkan") {
            InProcessHost.vulkanF16DisabledAtStart ??= process.env[vulkanDisableF16] !== undefined;
            if (placement === "vulkan" && !fp16Arithmetic && !InProcessHost.vulkanF16DisabledAtStart) {
                throw new BackendError(
                    `the Vulkan backend of this process started with FP16 arithmetic on (fp16Arithmetic, or ${vulkanDisableF16} unset when it loaded); F32 needs a new process`
                );
            }
        }
        InProcessHost.loadedBuild = loadedBuild;
        return new InProcessHost(addon, llama, {
            gpu: placement,
            binary,
            ...(binary !== false && placement === false ? { fallback: `${noDeviceReason("auto", binary)}; the layers run on the CPU` } : {}),
            devices,
            arithmetic: describeArithmetic(placement, InProcessHost.vulkanF16DisabledAtStart ?? false),
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

/** ggml's registry names: "CUDA", "Vulkan", "MTL". */
const ggmlBackendNames: Record<GpuApi, string> = { cuda: "CUDA", vulkan: "Vulkan", metal: "MTL" };

function isDeviceOf(api: GpuApi, device: AddonDevice): boolean {
    return (device.type === "gpu" || device.type === "igpu") && device.backend === ggmlBackendNames[api];
}

function noDeviceReason(asked: GpuOption, binary: GpuApi | false): string {
    if (binary === false) return "node-llama-cpp loaded its CPU build (no usable GPU build for this machine)";
    if (asked !== "auto" && binary !== asked) return `node-llama-cpp loaded its ${binary} build instead`;
    const hint =
        binary === "vulkan"
            ? " (Mesa's llvmpipe is a CPU-type Vulkan device, which ggml skips unless GGML_VK_VISIBLE_DEVICES names it, e.g. GGML_VK_VISIBLE_DEVICES=0)"
            : "";
    return `node-llama-cpp's ${binary} build found no ${binary} device${hint}`;
}
