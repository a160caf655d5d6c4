import type { ChatTemplateProfile } from "../ModelProfile.js";

export const qwen3Reranker: ChatTemplateProfile = {
    name: "qwen3-reranker",
    description:
        'Qwen3-Reranker, scored as its model card does: P(yes) = softmax over the logits of "yes" and "no" at the last position, after the chat template with an empty think block.',
    architectures: ["qwen3"],
    tokenizerModels: ["gpt2"],
    tokenizerPre: ["qwen2"],
    nameHints: ["qwen3-reranker", "qwen3 reranker"],
    format: "chat-template",
    templatePrefix:
        '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. Note that the answer can only be "yes" or "no".<|im_end|>\n<|im_start|>user\n',
    userTemplate: "<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}",
    templateSuffix: "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    textNormalization: "NFC",
    prompt: "Given a web search query, retrieve relevant passages that answer the query",
    maxLength: 1024,
    score: { kind: "softmax", token: "yes", against: "no" },
    normalize: "none"
};
