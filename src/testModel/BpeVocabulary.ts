/** The GPT-2 style byte-level BPE ("gpt2" tokenizer model) vocabulary fields of a GGUF. */
export type BpeVocabulary = {
    /** Byte-level token strings ("Ġthe"), added tokens as plain text, "[PADn]" for unclaimed ids. */
    readonly tokens: readonly string[];
    /** llama.cpp's llama_token_type per token. */
    readonly tokenTypes: Int32Array;
    /** "left right", in rank order. */
    readonly merges: readonly string[];
    readonly bosTokenId: number;
    readonly eosTokenId: number;
    readonly paddingTokenId: number;
    readonly addBosToken: boolean;
    readonly chatTemplate: string | undefined;
};
