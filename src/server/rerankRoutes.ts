import { randomUUID } from "node:crypto";
import { parseRerankRequest } from "./parseRerankRequest.js";
import { parseTeiRerankRequest } from "./parseTeiRerankRequest.js";
import { isPlainObject } from "../utils/validate.js";
import type { Route, RouteAnswer, RouteRequest } from "./Route.js";
import { bestFirst, windowField } from "./ScoringService.js";

/**
 * The Cohere/Jina/llama-server/vLLM rerank answer, best first:
 * {id, model, object: "list", usage, results: [{index, relevance_score, document?}], meta}.
 * `meta` is Cohere's, for its SDKs; the others ignore it.
 */
async function answerRerank(request: RouteRequest, apiVersion: "1" | "2"): Promise<RouteAnswer> {
    const parsed = parseRerankRequest(request.body, { maxDocuments: request.limits.maxDocuments, returnDocumentsByDefault: apiVersion === "1" });
    const { scores, promptTokens, windows } = await request.service.score(
        parsed.documents.map((document) => [parsed.query, document]),
        { raw: parsed.rawScores, signal: request.signal, overflow: parsed.overflow }
    );
    const order = bestFirst(scores).slice(0, parsed.topN ?? scores.length);
    return {
        status: 200,
        body: {
            id: `rerank-${randomUUID()}`,
            model: parsed.model ?? request.modelId,
            object: "list",
            usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
            results: order.map((index) => ({
                index,
                relevance_score: scores[index]!,
                ...windowField(windows, index),
                ...(parsed.returnDocuments ? { document: { text: parsed.documents[index]! } } : {})
            })),
            meta: { api_version: { version: apiVersion }, billed_units: { search_units: 1 } }
        }
    };
}

/** Text-embeddings-inference's answer: a bare array [{index, score, text?}], best first. */
async function answerTeiRerank(request: RouteRequest): Promise<RouteAnswer> {
    const parsed = parseTeiRerankRequest(request.body, { maxDocuments: request.limits.maxDocuments });
    const { scores } = await request.service.score(
        parsed.texts.map((text) => [parsed.query, text]),
        { raw: parsed.rawScores, signal: request.signal }
    );
    return {
        status: 200,
        body: bestFirst(scores).map((index) => ({ index, score: scores[index]!, ...(parsed.returnText ? { text: parsed.texts[index]! } : {}) }))
    };
}

export const rerankV1Route: Route = { method: "POST", public: false, handle: (request) => answerRerank(request, "1") };

export const rerankV2Route: Route = { method: "POST", public: false, handle: (request) => answerRerank(request, "2") };

/** Root /rerank serves both RAGFlow's Cohere-shaped client and TEI's shape, told apart by `texts`. */
export const rootRerankRoute: Route = {
    method: "POST",
    public: false,
    handle: (request) => (isPlainObject(request.body) && "texts" in request.body ? answerTeiRerank(request) : answerRerank(request, "1"))
};
