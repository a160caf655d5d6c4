/**
 * The error budgets of llama.cpp's scores against an exact (float64) computation of the same model
 * file, per backend: what test/model/golden.test.ts, test/model/bf16.test.ts and test/model/gpu/vulkan.test.ts hold
 * every score to, and what the bench judges its own scores by. Each is measured, not chosen: the
 * worst error seen over the golden pairs on the test models, times about two.
 */

/**
 * Largest |llama.cpp score − float64 reference| accepted for one pair on the CPU, F32 weights, F32
 * KV cache, flash attention off.
 *
 * Where the error comes from: ggml's CPU GELU looks its result up in an FP16 table, so each of the
 * n_ff gate activations carries a relative rounding of up to 2^-11 (~4.9e-4); everything else is F32
 * arithmetic (~1e-7 relative). Measured over the 33 golden pairs: max 6.3e-4 (mean 1.6e-4) on the
 * tiny model and max 1.05e-3 (mean 4.0e-4) on the mid model. 2e-3 is twice the worst measured
 * error. For comparison, the same pairs moved by up to 4.0e-3 from the reference with flash
 * attention on (F16 KV cache), and scores differ between pairs by 0.1 to 1.
 */
export const cpuF32ReferenceTolerance = 2e-3;

/**
 * Largest |Vulkan score − float64 reference| accepted for one pair, F32 weights, F32 mode (FP16
 * arithmetic off, F32 KV cache, flash attention off). Measured on Mesa's llvmpipe (LLVM 15.0.6,
 * node-llama-cpp 3.21.1's prebuilt Vulkan build): max 6.7e-4 on the tiny model (33 golden pairs)
 * and 4.9e-4 on the mid model (11 of them). 1.4e-3 is twice the worst. For scale: with FP16
 * arithmetic on (fp16Arithmetic: true, GGML_VK_DISABLE_F16 unset) the same pairs are off by up to
 * 2.2e-3 (tiny) and 2.6e-3 (mid), so this tolerance fails that mode.
 */
export const vulkanF32ReferenceTolerance = 1.4e-3;

/**
 * Largest |llama.cpp score − float64 reference of the same BF16 file| accepted for one pair on the CPU.
 *
 * The reference reads the BF16 weights exactly, so what is left is llama.cpp's arithmetic. On the
 * CPU, ggml multiplies BF16 weights by activations it first rounds to BF16 too (BF16's vec_dot
 * type): each activation carries a relative error of up to 2^-9 (~2e-3) where F32 carries 6e-8,
 * on top of the F32 path's FP16 GELU table (see cpuF32ReferenceTolerance). Measured over the 33
 * golden pairs, prebuilt binaries: max 8.05e-3 (mean 2.9e-3) on the tiny model and 1.36e-2 (mean
 * 4.5e-3) on the mid one. ggml's BLAS backend (local OpenBLAS build) converts BF16 weights to F32
 * for the matmuls of 32 tokens or more and so rounds fewer activations: 7.96e-3 (tiny), 7.87e-3
 * (mid). 2e-2 is 2.5 times the worst tiny-model error and 1.5 times the mid model's; rounding BF16
 * storage alone moves the same scores from the F32 model's by up to 9.0e-3 (tiny) and 1.2e-2
 * (mid), and a misread weight moves them by order 1.
 */
export const cpuBf16ReferenceTolerance = 2e-2;

/** Which measured budget applies to a backend, its arithmetic and the model's weights. */
export type ErrorBudgetKey = {
    /** The GPU API that holds the layers, or false for the CPU. */
    gpu: string | false;
    /** The backend's arithmetic mode (describe().precision.arithmetic.mode). */
    arithmetic: "f32" | "mixed";
    /** The model's weight type (describe().model.weightType): "F32", "BF16", "Q8_0"... */
    weightType: string;
};

/**
 * The measured per-pair budget against the float64 reference for this setup, or null where this
 * project has measured none (CUDA, Metal, FP16 arithmetic, F16 or quantized weights).
 */
export function referenceTolerance({ gpu, arithmetic, weightType }: ErrorBudgetKey): number | null {
    if (arithmetic !== "f32") return null;
    const weights = weightType.toUpperCase();
    if (gpu === false && weights === "F32") return cpuF32ReferenceTolerance;
    if (gpu === false && weights === "BF16") return cpuBf16ReferenceTolerance;
    if (gpu === "vulkan" && weights === "F32") return vulkanF32ReferenceTolerance;
    return null;
}

/**
 * Largest |score at one configuration − score at another| that the error budget allows, for the
 * same pair and model on the same backend (the bench's sweep over slots × batch sizes).
 *
 * Derivation: other batch shapes make ggml pick other kernels (on Vulkan, matrix-vector shaders for
 * a few rows and tiled matrix-matrix ones for many), which sum in another order, so the two scores
 * are two different roundings of the same exact value r. Each is held to |s − r| ≤ T, the budget
 * above; by the triangle inequality |s₁ − s₂| ≤ |s₁ − r| + |r − s₂| ≤ 2T. A spread beyond 2T
 * therefore proves that at least one configuration is outside the budget, without computing r;
 * a spread within it is what two correct configurations may show. For scale, a scheduling bug
 * (a pair scored against another pair's tokens, a wrong output row) moves a score by order 0.1 to
 * 1, far beyond 2T.
 *
 * null where no budget is measured for the setup (see referenceTolerance).
 */
export function configurationTolerance(key: ErrorBudgetKey): number | null {
    const perPair = referenceTolerance(key);
    return perPair === null ? null : 2 * perPair;
}

/**
 * An estimate, not a measurement (no CUDA device has run this code): the largest |CUDA score −
 * float64 reference| expected for one pair with F32 weights, with TF32 off in cuBLAS
 * (NVIDIA_TF32_OVERRIDE=0, which the library sets unless fp16Arithmetic or the user says otherwise).
 *
 * Derivation, from ggml-cuda in the llama.cpp release node-llama-cpp 3.21.1 ships
 * (ggml_cuda_mul_mat): a product of F32 weights goes to ggml's vector kernel (mmvf, F32 arithmetic)
 * for at most 3 columns, to cuBLAS's F32 GEMM for more than 16, and, on Ampere and newer, to ggml's
 * tensor-core kernel (mmf) for 4 to 16 columns, which rounds both operands to TF32 (a 10-bit
 * significand, unit roundoff 2^-11) and accumulates in F32. No switch turns that kernel off, and the
 * output head of a decode that ends 4 to 16 sequences always takes it. GELU is computed in F32
 * (no FP16 table, unlike the CPU). That rounding is no coarser than what ggml-vulkan does with FP16
 * arithmetic on, which rounds these products and other shaders to FP16's same 10-bit significand,
 * in a narrower range: measured on llvmpipe at up to 2.2e-3 (tiny) and 2.6e-3 (mid) against the
 * float64 reference. Twice the worst, as for every measured budget here: 5.2e-3. The GPU run
 * (bench --gpu-run) reports the measured CUDA-vs-CPU spread, which replaces this estimate once a
 * CUDA device has run it.
 */
export const cudaF32WeightsReferenceEstimate = 2 * 2.6e-3;

/** The GPU side of a CPU agreement check: its backend's budget key, and whether CUDA's cuBLAS runs with TF32 off. */
export type GpuAgreementSetup = ErrorBudgetKey & { cudaTf32Off?: boolean };

/**
 * Largest |GPU score − CPU score| for the same pair and model file, when each backend holds its
 * budget against the float64 reference: |g − c| ≤ |g − r| + |r − c| ≤ T_gpu + T_cpu (the same
 * triangle inequality as configurationTolerance, across backends). The CPU side is ggml-cpu with the
 * same F32 weights (cpuF32ReferenceTolerance). T_gpu is Vulkan's measured F32 budget, or CUDA's
 * estimate (cudaF32WeightsReferenceEstimate, `estimated: true`) with TF32 off in cuBLAS; null where
 * neither applies (Metal, FP16 arithmetic, TF32 on, weights other than F32).
 */
export function cpuAgreementTolerance(setup: GpuAgreementSetup): { tolerance: number; gpuBudget: number; cpuBudget: number; estimated: boolean } | null {
    if (setup.gpu === false || setup.weightType.toUpperCase() !== "F32") return null;
    const measured = referenceTolerance(setup);
    const gpuBudget = measured ?? (setup.gpu === "cuda" && setup.cudaTf32Off === true ? cudaF32WeightsReferenceEstimate : null);
    if (gpuBudget === null) return null;
    return { tolerance: gpuBudget + cpuF32ReferenceTolerance, gpuBudget, cpuBudget: cpuF32ReferenceTolerance, estimated: measured === null };
}

/**
 * Largest |score in a batch with other sequences − score alone| accepted for one pair on ggml's own
 * CPU kernels (the prebuilt binaries, or a local build without BLAS). Packing changes only the order
 * of F32 reductions and which activations meet ggml's FP16 GELU table together: measured 2.4e-7 on
 * the tiny model and 5.4e-6 on the mid model (test/model/scoring.test.ts's pairs); 5e-5 leaves ten
 * times that. A sequence read from the wrong slot or position moves a score by ~0.1.
 */
export const packingTolerance = 5e-5;

/**
 * The same on a local build with ggml's BLAS backend (build-llama --blas). OpenBLAS blocks and
 * threads a product by its row count, so a row's result depends on the batch it sits in: measured
 * 5.5e-5 on the tiny model and 1.56e-4 on the mid model (OpenBLAS 0.3.21, the same pairs in six
 * orders and with prefix sharing). 1e-3 is the bound within which a BLAS build's scores agree with
 * ggml's own kernels (bench --compare-builds checks it), six times the worst packing difference.
 */
export const blasPackingTolerance = 1e-3;

/** The packing tolerance of the build a Reranker runs on (describe().backend.blas). */
export function packingToleranceOf(backend: { blas: unknown }): number {
    return backend.blas ? blasPackingTolerance : packingTolerance;
}
