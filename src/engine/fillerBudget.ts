/**
 * FLOPs a processor executes in the time it reads one byte of weights from memory, roughly: a
 * laptop CPU core ~50–100 GFLOP/s against ~10 GB/s a core streams, a GPU ~20–60 TFLOP/s against
 * 1–3 TB/s. Only the order of magnitude matters here.
 */
const flopsPerByteRead = 10;

export type FillerBudgetInput = {
    /** Bytes of the GGUF: every layer matrix plus the output matrix a micro-batch with outputs reads. */
    fileBytes: number;
    parameterCount: number;
    vocabularySize: number;
    embeddingLength: number;
    batchSize: number;
};

/**
 * How many filler tokens a finishing sequence may get so that its decode stays one micro-batch
 * (ScoringEngine's fillerBudget): a filler token costs what a real token costs, one more
 * micro-batch costs one more pass over the weights (and the output matrix when it holds an
 * output). So the budget is that pass in token-equivalents: the file's bytes at
 * `flopsPerByteRead`, over the FLOPs of one token (2 per parameter, the token embedding being a
 * lookup). Capped at the batch. Measured, not guessed, where it matters: `bench --concurrent`.
 *
 * Gemma's 256,000-row tied output matrix makes it large on narrow models (the tiny preset: the
 * batch; the bench-width preset: ~70 tokens); a 0.6B Qwen3 in Q8_0 gets ~7, so long chunks of
 * different lengths are not padded to each other.
 */
export function fillerBudget(input: FillerBudgetInput): number {
    const flopsPerToken = 2 * Math.max(1, input.parameterCount - input.vocabularySize * input.embeddingLength);
    const budget = Math.round((flopsPerByteRead * input.fileBytes) / flopsPerToken);
    return Math.max(0, Math.min(input.batchSize, budget));
}
