/**
 * Largest |llama.cpp logit − float64 ModernBERT reference| accepted on modern-bert-tiny, F32, CPU,
 * against the reference that computes GELU as ggml's CPU backend does (binary16 table of
 * tanh-GELU, in the GeGLU and in the head; see test/reference/bert/gelu.ts): the mechanism of
 * bertTableGeluTolerance. Measured over the 8 pairs of gteReranker.test.ts (13 to 512 tokens, 2
 * past the sliding window): max 4.3e-4. 1.1e-3 is 2.5 times that, bert-tiny's margin.
 */
export const modernBertTableGeluTolerance = 1.1e-3;

/**
 * Against HF's erf GELU (hidden_activation and classifier_activation "gelu", GELUActivation):
 * max 1.65e-3, mean 4.5e-4 over the same pairs. 4.2e-3 is 2.5 times the max.
 */
export const modernBertGeluTolerance = 4.2e-3;
