/**
 * Largest |llama.cpp − float64 reference| accepted in the logit difference d = l_yes − l_no, F32
 * weights, F32 KV cache, flash attention off, CPU.
 *
 * Measured on the tiny Qwen3 model over the 17 pairs of qwen3Pairs.ts (76 to 633 tokens): max
 * 2.6e-6, whether pairs share a prefix or not. Unlike Gemma's GELU, which ggml looks up in an FP16
 * table, Qwen3's SiLU is computed in F32, so only F32 rounding and summation order remain. 1e-4 is
 * about 40 times the worst measured error, for other CPUs' SIMD paths and thread splits.
 */
export const logitDifferenceTolerance = 1e-4;

/**
 * The score is sigmoid(d); its slope s(1 − s) is at most 1/4, so an error e in d moves the score by
 * at most e/4. (Each logit's own error may be larger: only their difference reaches the score.)
 * Measured max: 2.8e-7.
 */
export const scoreTolerance = logitDifferenceTolerance / 4;

/**
 * Largest |llama.cpp − float64 reference| accepted in one logit, for profiles that score a single
 * token's logit (zerank: "Yes"), same settings. Measured on the tiny Qwen3 model over the 17 pairs
 * of qwen3Pairs.ts in zerank's template (17 to 576 tokens): max 1.2e-6, with and without shared
 * prefixes. The sources are those of the difference above (F32 rounding and summation order), so
 * the same bound applies: about 80 times the worst measured error.
 */
export const logitTolerance = 1e-4;

/** zerank's normalized score is sigmoid(logit / 5): its slope is at most 1/20. */
export const zerankScoreTolerance = logitTolerance / 20;
