/** llama.cpp's `llama_token_type` values, as written to `tokenizer.ggml.token_type`. */
export const SentencePieceTokenType = {
    normal: 1,
    unknown: 2,
    control: 3,
    userDefined: 4,
    unused: 5,
    byte: 6
} as const;

export type SentencePieceTokenType = (typeof SentencePieceTokenType)[keyof typeof SentencePieceTokenType];
