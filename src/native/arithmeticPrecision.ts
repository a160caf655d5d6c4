// What each backend computes in for F32 weights, and the switches the library sets so that F32
// weights mean F32 arithmetic wherever llama.cpp allows it. Read from the llama.cpp release that
// node-llama-cpp 3.21.1 ships (llama/gitRelease.bundle); only the Vulkan and CPU rows were run here.

export type GpuApi = "cuda" | "metal" | "vulkan";

export type ArithmeticPrecision = {
    /** "f32": every matrix product multiplies F32 values; "mixed": some multiply in FP16 or TF32. */
    mode: "f32" | "mixed";
    /** What the backend does, in one sentence. */
    detail: string;
    /** Environment switches in force and who set them. */
    switches: { name: string; value: string | undefined; setBy: "llm-rerank" | "user" | "unset" }[];
};

/** ggml-vulkan reads it once, when the backend starts; any value (even "0") disables FP16. */
export const vulkanDisableF16 = "GGML_VK_DISABLE_F16";
/** cuBLAS honours it for the TF32 tensor-op math mode ggml sets on its handles. */
export const nvidiaTf32Override = "NVIDIA_TF32_OVERRIDE";

const setByLibrary = new Set<string>();

/**
 * Sets the switches before node-llama-cpp loads a backend that reads them. A value the user set
 * is never overridden. With fp16Arithmetic the switches are left unset, so the backend's own
 * (faster, less exact) choice stands.
 */
export function applyArithmeticSwitches(gpu: "auto" | GpuApi | false, fp16Arithmetic: boolean): void {
    if (fp16Arithmetic) return;
    const set = (name: string, value: string) => {
        if (process.env[name] !== undefined) return;
        process.env[name] = value;
        setByLibrary.add(name);
    };
    if (gpu === "auto" || gpu === "vulkan") set(vulkanDisableF16, "1");
    if (gpu === "auto" || gpu === "cuda") set(nvidiaTf32Override, "0");
}

function describeSwitch(name: string): ArithmeticPrecision["switches"][number] {
    const value = process.env[name];
    return { name, value, setBy: value === undefined ? "unset" : setByLibrary.has(name) ? "llm-rerank" : "user" };
}

/** The arithmetic of the backend whose devices hold the layers (false: the CPU). */
export function describeArithmetic(api: GpuApi | false, vulkanF16DisabledAtStart: boolean): ArithmeticPrecision {
    switch (api) {
        case false:
            return {
                mode: "f32",
                detail: "ggml-cpu: F32 matrix products; GELU reads an FP16 lookup table (relative rounding up to 2^-11 per activation).",
                switches: []
            };
        case "vulkan":
            return vulkanF16DisabledAtStart
                ? {
                      mode: "f32",
                      detail: "ggml-vulkan with FP16 arithmetic off (GGML_VK_DISABLE_F16): F32 shaders for every matrix product.",
                      switches: [describeSwitch(vulkanDisableF16)]
                  }
                : {
                      mode: "mixed",
                      detail: "ggml-vulkan with FP16 arithmetic on: matrix products and other shaders compute in FP16 where the device supports it.",
                      switches: [describeSwitch(vulkanDisableF16)]
                  };
        case "cuda": {
            const override = process.env[nvidiaTf32Override];
            return {
                mode: "mixed",
                detail:
                    override === "0"
                        ? "ggml-cuda (not run by this project): cuBLAS F32 GEMM with TF32 off (NVIDIA_TF32_OVERRIDE=0); on Ampere or newer, ggml's own tensor-core kernel for F32 weights (micro-batches of at most 16 tokens) still multiplies in TF32, and no switch turns that off."
                        : "ggml-cuda (not run by this project): cuBLAS F32 GEMM in TF32 tensor-op math on Ampere or newer (ggml sets CUBLAS_TF32_TENSOR_OP_MATH), and ggml's own TF32 tensor-core kernel for micro-batches of at most 16 tokens.",
                switches: [describeSwitch(nvidiaTf32Override)]
            };
        }
        case "metal":
            return {
                mode: "mixed",
                detail: "ggml-metal (not run by this project): matrix-matrix products (more than 8 tokens) load F32 weights and activations into half-precision simdgroup tiles and accumulate in F32; no switch forces F32.",
                switches: []
            };
    }
}
