import type { EncoderPairProfile } from "../ModelProfile.js";

export const jinaRerankerV2: EncoderPairProfile = {
    name: "jina-reranker-v2",
    description:
        "jinaai/jina-reranker-v2-base-multilingual (XLM-RoBERTa cross-encoder with fused QKV, llama.cpp architecture bert), scored as its compute_score scores it: the classifier's raw logit for <s> query </s></s> passage </s>, the pair cut longest-first to 1024 tokens.",
    architectures: ["bert"],
    tokenizerModels: ["t5"],
    nameHints: ["jina-reranker-v2", "jina reranker v2"],
    // the converter writes the flash implementation's fused mixer.Wqkv as attn_qkv; XLM-R checkpoints
    // (bge-reranker-v2-m3) have attn_q/attn_k/attn_v
    tensorHints: ["blk.0.attn_qkv.weight"],
    format: "encoder-pair",
    startToken: "<s>",
    pairSeparator: ["</s>", "</s>"],
    endToken: "</s>",
    truncation: "longest-first",
    prompt: "",
    maxLength: 1024,
    score: { kind: "rank" },
    normalize: "sigmoid"
};
