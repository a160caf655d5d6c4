import { randomUUID } from "node:crypto";
import { parseScoreRequest } from "./parseScoreRequest.js";
import type { Route } from "./Route.js";

/** vLLM's score answer, in input order: {id, object: "list", created, model, data: [{index, object: "score", score}], usage}. */
export const scoreRoute: Route = {
    method: "POST",
    public: false,
    async handle(request) {
        const parsed = parseScoreRequest(request.body, { maxDocuments: request.limits.maxDocuments });
        const { scores, promptTokens } = await request.service.score(parsed.pairs, { raw: parsed.rawScores, signal: request.signal });
        return {
            status: 200,
            body: {
                id: `score-${randomUUID()}`,
                object: "list",
                created: Math.floor(Date.now() / 1000),
                model: parsed.model ?? request.modelId,
                data: scores.map((score, index) => ({ index, object: "score", score })),
                usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0 }
            }
        };
    }
};
