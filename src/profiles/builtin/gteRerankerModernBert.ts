import type { EncoderPairProfile } from "../ModelProfile.js";

export const gteRerankerModernBert: EncoderPairProfile = {
    name: "gte-reranker-modernbert",
    description:
        "Alibaba-NLP/gte-reranker-modernbert-base (ModernBERT cross-encoder, llama.cpp architecture modern-bert), scored as its model card scores it: the classifier's raw logit (mean of the final hidden states → dense → GELU → LayerNorm → classifier) for [CLS] query [SEP] passage [SEP], the pair cut longest-first to 512 tokens.",
    architectures: ["modern-bert"],
    tokenizerModels: ["gpt2"],
    tokenizerPre: ["modern-bert"],
    nameHints: ["gte-reranker-modernbert", "gte reranker modernbert"],
    format: "encoder-pair",
    startToken: "[CLS]",
    pairSeparator: ["[SEP]"],
    endToken: "[SEP]",
    truncation: "longest-first",
    prompt: "",
    maxLength: 512,
    score: { kind: "rank" },
    normalize: "sigmoid"
};
