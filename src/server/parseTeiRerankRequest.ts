import { readBoolean, readString, readTexts, requireObject } from "./requestFields.js";

/**
 * Hugging Face text-embeddings-inference's rerank request: {query, texts, raw_scores?,
 * return_text?, truncate?}. `truncate` is accepted and has no effect: this library always
 * truncates as the model's reference code does (FlagEmbedding's max_length), never refuses.
 */
export type TeiRerankRequest = {
    query: string;
    texts: string[];
    rawScores: boolean;
    returnText: boolean;
};

export function parseTeiRerankRequest(body: unknown, options: { maxDocuments: number }): TeiRerankRequest {
    const object = requireObject(body);
    readBoolean(object, "truncate", true);
    return {
        query: readString(object, "query"),
        texts: readTexts(object, "texts", options.maxDocuments, false),
        rawScores: readBoolean(object, "raw_scores", false),
        returnText: readBoolean(object, "return_text", false)
    };
}
