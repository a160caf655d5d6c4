import { readBoolean, readModelName, readOverflow, readString, readTexts, readTopN, requireObject, type OverflowRequest } from "./requestFields.js";

/** The Cohere v1/v2, Jina, llama-server and vLLM rerank request: {model?, query, documents, top_n?, return_documents?}. */
export type RerankRequest = {
    model: string | undefined;
    query: string;
    documents: string[];
    topN: number | undefined;
    returnDocuments: boolean;
    rawScores: boolean;
    /** overflow, window_tokens, window_overlap: this library's own fields (docs/long-documents.md). */
    overflow: OverflowRequest;
};

export function parseRerankRequest(body: unknown, options: { maxDocuments: number; returnDocumentsByDefault: boolean }): RerankRequest {
    const object = requireObject(body);
    return {
        model: readModelName(object),
        query: readString(object, "query"),
        documents: readTexts(object, "documents", options.maxDocuments, true),
        topN: readTopN(object, "top_n"),
        returnDocuments: readBoolean(object, "return_documents", options.returnDocumentsByDefault),
        rawScores: readBoolean(object, "raw_scores", false),
        overflow: readOverflow(object)
    };
}
