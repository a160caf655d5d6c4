import type { EncoderPairProfile } from "../ModelProfile.js";

export const bgeRerankerV2M3: EncoderPairProfile = {
    name: "bge-reranker-v2-m3",
    description:
        "BAAI bge-reranker-v2-m3 (XLM-RoBERTa cross-encoder, llama.cpp architecture bert), scored as FlagEmbedding's encoder-only FlagReranker scores it: the classifier's raw logit for <s> query </s></s> passage </s>.",
    architectures: ["bert"],
    tokenizerModels: ["t5"],
    nameHints: ["bge-reranker-v2-m3", "bge reranker v2 m3", "bge-reranker"],
    format: "encoder-pair",
    startToken: "<s>",
    pairSeparator: ["</s>", "</s>"],
    endToken: "</s>",
    prompt: "",
    maxLength: 512,
    score: { kind: "rank" },
    normalize: "sigmoid"
};
