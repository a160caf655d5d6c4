import { RemoteResponseError } from "../errors/errors.js";
import { isPlainObject } from "../utils/validate.js";

/**
 * The score of each document, in input order, from the answer shapes rerank servers give:
 * - `{results: [{index, relevance_score}]}`: Cohere v1/v2, Jina, vLLM, llama-server, llm-rerank serve;
 * - `[{index, score}]`: text-embeddings-inference;
 * - `{data: [{index, score}]}`: vLLM's /score.
 * Every document must be answered exactly once with a finite number: a partial or duplicated
 * answer is an error, never a silently missing score.
 */
export function readRemoteScores(body: unknown, documentCount: number, url: string): number[] {
    const entries = Array.isArray(body) ? body : isPlainObject(body) ? (body.results ?? body.data) : undefined;
    if (!Array.isArray(entries)) throw new RemoteResponseError(url, "expected {results: [...]}, {data: [...]} or a bare array");
    if (entries.length !== documentCount) throw new RemoteResponseError(url, `${entries.length} results for ${documentCount} documents`);
    const scores = new Array<number>(documentCount).fill(Number.NaN);
    entries.forEach((entry: unknown, i) => {
        if (!isPlainObject(entry)) throw new RemoteResponseError(url, `result ${i} is not an object`);
        const index = entry.index;
        const score = entry.relevance_score ?? entry.score;
        if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= documentCount) {
            throw new RemoteResponseError(url, `result ${i} has index ${String(index)}, outside 0..${documentCount - 1}`);
        }
        if (typeof score !== "number" || !Number.isFinite(score)) throw new RemoteResponseError(url, `result ${i} has a non-finite or missing score`);
        if (!Number.isNaN(scores[index]!)) throw new RemoteResponseError(url, `document ${index} is answered twice`);
        scores[index] = score;
    });
    return scores;
}
