import type { FlagEmbeddingProfile } from "../ModelProfile.js";

export const bgeRerankerV2Gemma: FlagEmbeddingProfile = {
    name: "bge-reranker-v2-gemma",
    description: 'BAAI bge-reranker-v2-gemma, scored as FlagEmbedding\'s decoder-only reranker scores it: the logit of "Yes" at the last position.',
    architectures: ["gemma"],
    tokenizerModels: ["llama"],
    tokenizerPre: ["default"],
    nameHints: ["bge-reranker-v2-gemma", "bge reranker v2 gemma"],
    format: "flag-embedding",
    queryPrefix: "A: ",
    passagePrefix: "B: ",
    separator: "\n",
    prompt: "Given a query A and a passage B, determine whether the passage contains an answer to the query by providing a prediction of either 'Yes' or 'No'.",
    maxLength: 512,
    score: { kind: "logit", token: "Yes" },
    normalize: "sigmoid"
};
