/**
 * Largest |Vulkan score − float64 reference| accepted for one pair, F32 mode (FP16 arithmetic off,
 * F32 KV cache, flash attention off). Measured on Mesa's llvmpipe (LLVM 15.0.6, node-llama-cpp
 * 3.21.1's prebuilt Vulkan build): max 6.7e-4 on the tiny model (33 golden pairs) and 4.9e-4 on
 * the mid model (11 of them). 1.4e-3 is twice the worst. For scale: with FP16 arithmetic on
 * (fp16Arithmetic: true, GGML_VK_DISABLE_F16 unset) the same pairs are off by up to 2.2e-3 (tiny)
 * and 2.6e-3 (mid), so this tolerance fails that mode; the CPU backend's is 2e-3 (test/helpers/referenceTolerance.ts).
 */
export const vulkanReferenceTolerance = 1.4e-3;

/**
 * Largest |packed − alone| accepted for one pair on Vulkan. Measured on llvmpipe: 4.95e-4 over six
 * golden pairs, far above the CPU backend's 2.4e-7: ggml-vulkan picks other shaders for other batch
 * shapes (matrix-vector for a few rows, tiled matrix-matrix for many), and their sums round
 * differently. 1e-3 is twice the worst. Sharing the query prefix changed no score at all (0).
 */
export const vulkanPackingTolerance = 1e-3;
