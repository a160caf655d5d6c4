import type { TemplateProfile } from "../ModelProfile.js";

/**
 * ZeroEntropy's zerank rerankers (zerank-1-small on Qwen3-1.7B, zerank-2 on Qwen3-4B; Qwen3's
 * tokenizer), as their reference code builds and scores the input. Read from
 * huggingface.co/zeroentropy/zerank-1-small, modeling_zeranker.py (the file zerank-2 first shipped
 * too): format_pointwise_datapoints puts the query in the system turn and the document in the user
 * turn of Qwen3's chat template with add_generation_prompt=True (thinking not disabled: no think
 * block), each stripped of surrounding white space, after predict() cut them to query[:2_000] and
 * document[:10_000] characters; the formatted string is tokenized whole, and the score read at the
 * last position is the logit of "Yes" (the first id of encode("Yes"), 9454).
 *
 * Score semantics: zerank-2's since its May 2026 model-card change: the raw score is that logit
 * (what CrossEncoder.predict returns now), and the 0–1 score is sigmoid(logit / 5), which is what
 * zerank-1-small's modeling_zeranker.py predict() returned and what zerank-2's card documents.
 */
export const zerank: TemplateProfile = {
    name: "zerank",
    description:
        'ZeroEntropy zerank-1-small and zerank-2 (Qwen3), as modeling_zeranker.py builds the input: the query in the system turn, the document in the user turn, both stripped and cut to 2,000 and 10,000 characters; the raw score is the logit of "Yes" (zerank-2 semantics, May 2026), normalized sigmoid(logit / 5).',
    architectures: ["qwen3"],
    tokenizerModels: ["gpt2"],
    tokenizerPre: ["qwen2"],
    nameHints: ["zerank"],
    format: "template",
    template: "<|im_start|>system\n{query}<|im_end|>\n<|im_start|>user\n{document}<|im_end|>\n<|im_start|>assistant\n",
    tokenize: "joined",
    truncation: { budget: "input" },
    textNormalization: "NFC",
    stripWhitespace: true,
    maxCharacters: { query: 2000, document: 10000 },
    // zerank takes no instruction
    prompt: "",
    // The reference cuts characters, not tokens: 12,000 characters of English are about 3,000
    // tokens. A longer input (dense scripts) has its document cut from its end to fit this.
    maxLength: 4096,
    score: { kind: "logit", token: "Yes" },
    normalize: "sigmoid",
    temperature: 5
};
