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

/**
 * jina-reranker-v2's tiny layout (the same XLM-R graph with a fused QKV, inputs up to 1024 tokens)
 * against the reference with ggml's GELU: the same binary16-table mechanism as
 * bertTableGeluTolerance, over twice the positions. Measured over the 9 pairs of
 * jinaReranker.test.ts (12 to 1024 tokens): max 3.3e-4. 1e-3 is 3.1 times that (bert-tiny's
 * margin is 2.6; the same bound serves both).
 */
export const jinaTableGeluTolerance = bertTableGeluTolerance;

/**
 * The same pairs against HF's erf GELU (jina's Mlp: F.gelu with approximate "none" for hidden_act
 * "gelu"): max 4.0e-3, mean 1.2e-3. 1e-2 is 2.5 times the max, bert-tiny's margin.
 */
export const jinaErfGeluTolerance = bertErfGeluTolerance;
