/** The SentencePiece ("llama" tokenizer model) vocabulary fields of a Gemma GGUF. */
export type GemmaVocabulary = {
    readonly tokens: readonly string[];
    readonly scores: Float32Array;
    readonly tokenTypes: Int32Array;
    readonly bosTokenId: number;
    readonly eosTokenId: number;
    readonly unknownTokenId: number;
    readonly paddingTokenId: number;
    readonly endOfTurnTokenId: number;
    readonly addBosToken: boolean;
    readonly addEosToken: boolean;
    readonly chatTemplate: string | undefined;
};
