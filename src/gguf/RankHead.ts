/**
 * A classifier head that llama.cpp's rank pooling applies (build_pooling, LLAMA_POOLING_TYPE_RANK):
 * BERT-family sequence classifiers (cls + cls.output) and converted Qwen3-Rerankers (cls.output, the
 * "yes"/"no" rows of the LM head).
 */
export type RankHead = {
    /** classifier.output_labels, or [] when the file has none (llama.cpp then assumes 1 output). */
    labels: string[];
    /** cls.output.weight's output rows: the floats llama_get_embeddings_seq returns per sequence. */
    outputs: number;
    /**
     * Qwen3: whether the head's rows are token_embd's rows of its labels (a tied model, whose
     * logits path scores the same); false for an untied model's own lm_head rows; undefined when
     * not applicable (bert) or not comparable (quantized tensors).
     */
    tiedToEmbeddings: boolean | undefined;
};
