import type { TemplateProfile } from "../ModelProfile.js";

/**
 * mixedbread's mxbai-rerank-base-v2 and -large-v2, as mixedbread-ai/mxbai-rerank's
 * mxbai_rerank_v2.py (class MxbaiRerankV2) builds and scores them; docs/mxbai-rerank-v2.md walks
 * through it. Every part is tokenized on its own (prepare_predefined_inputs, prepare_inputs); the
 * query part is cut to max_length·3//4 tokens and the document part so that query + sep + document
 * fit max_length (prepare_for_model, truncation="only_second"); the score is forward()'s
 * logits[-1, "1"] − logits[-1, "0"], which rank() returns as is.
 */
export const mxbaiRerankV2: TemplateProfile = {
    name: "mxbai-rerank-v2",
    description:
        'mixedbread mxbai-rerank-base-v2 and -large-v2 (Qwen2), scored as mixedbread\'s mxbai_rerank_v2.py scores them: l("1") − l("0") at the last position, the raw logit difference its rank() returns; normalize gives sigmoid of it, P("1") over the two.',
    architectures: ["qwen2"],
    tokenizerModels: ["gpt2"],
    tokenizerPre: ["qwen2"],
    nameHints: ["mxbai-rerank", "mxbai rerank"],
    format: "template",
    template: [
        // chat_template["prefix"]
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
        // query_prompt, after instruction_prompt + sep when an instruction is given
        "{instruction}query: {query}",
        // sep
        "\n",
        // doc_prompt
        "document: {document}",
        // sep
        "\n",
        // task_prompt
        "You are a search relevance expert who evaluates how well documents match search queries. For each query-document pair, carefully analyze the semantic relationship between them, then provide your binary relevance judgment (0 for not relevant, 1 for relevant).\nRelevance:",
        // chat_template["suffix"]
        "<|im_end|>\n<|im_start|>assistant\n"
    ],
    tokenize: "parts",
    instructionTemplate: "instruction: {instruction}\n",
    truncation: { queryShare: 0.75, budget: "query-to-document" },
    textNormalization: "NFC",
    // predict()'s instruction defaults to None: no instruction line
    prompt: "",
    // MxbaiRerankV2's max_length: query + sep + document; the template adds 79 tokens
    maxLength: 8192,
    score: { kind: "logit-difference", token: "1", against: "0" },
    normalize: "sigmoid"
};
