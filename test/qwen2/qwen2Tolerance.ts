/**
 * Largest |llama.cpp − float64 reference| accepted in mxbai-rerank-v2's score, the logit difference
 * d = l("1") − l("0"), F32 weights, F32 KV cache, flash attention off, CPU.
 *
 * Where the error comes from: Qwen2's graph is F32 arithmetic throughout on the CPU (SiLU computed,
 * not looked up in ggml's FP16 GELU table as Gemma's is; F32 weights multiply F32 activations), so
 * only F32 rounding (2^-24 relative) and summation order remain, on logits of order 5. Measured on
 * the tiny Qwen2 model: max 1.16e-6 over the 17 test pairs (89 to 645 tokens) through node-llama-cpp
 * directly; max 9.2e-7 over the same pairs through the library with the default settings, maxLength
 * 120, one slot without prefix sharing, two threads and batch size 64 alike; max 1.62e-6 over 120
 * pairs of token-parity corpus texts (up to 355 tokens), one thread and two. 4e-6 is about twice the
 * worst. For scale, the test pairs' d spans 2.7 to 4.5, and dropping the q/k/v biases moves it by
 * at least 0.26.
 */
export const logitDifferenceTolerance = 4e-6;

/** normalize: sigmoid(d), whose slope is at most 1/4: an error e in d moves it by at most e/4. */
export const normalizedScoreTolerance = logitDifferenceTolerance / 4;
