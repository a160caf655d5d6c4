/**
 * Largest |llama.cpp logit − float64 reference| accepted for bge-reranker-v2-m3's classifier logit
 * on bert-tiny, F32, CPU, against the reference that computes GELU as ggml's CPU backend does
 * (binary16 in, binary16 table of tanh-GELU out; see test/reference/bert/gelu.ts). F32 rounding
 * and summation order (~1e-7 relative) then remain, but an FFN pre-activation within 1e-7 of a
 * binary16 rounding boundary rounds the other way and moves by one binary16 ulp (2^-11 relative),
 * and 512-token inputs have thousands of them. Measured over the 21 pairs of bertScores.test.ts (17
 * to 512 tokens): max 3.8e-4. 1e-3 is 2.6 times that. Short inputs agree to ~1e-5.
 */
export const bertTableGeluTolerance = 1e-3;

/**
 * |llama.cpp − reference with HF's erf GELU|, the model's own definition (hidden_act "gelu"):
 * llama.cpp's tanh approximation and binary16 table move FFN activations by up to ~1e-3.
 * Measured over the same pairs: max 3.9e-3, mean 1.7e-3. 1e-2 is 2.6 times the max. What a user of
 * a converted bge-reranker-v2-m3 should expect against FlagEmbedding's F32 scores, before any
 * weight-precision loss (the real model is wider, so its gap may be larger).
 */
export const bertErfGeluTolerance = 1e-2;

/**
 * |score of a pair alone − score of the same pair packed into one encode with others|. The
 * activations differ only in F32 rounding (other matmul shapes), which the binary16 GELU table
 * amplifies exactly as above. Measured: max 3.0e-4 over the 21 pairs.
 */
export const bertPackedTolerance = bertTableGeluTolerance;
