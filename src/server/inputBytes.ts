import { HttpError } from "./HttpError.js";

/**
 * Refuses (413) a request that would make the model read more than `maxInputBytes`: the UTF-8
 * bytes of query + document, summed over every pair. A 1 MB query sent once with 1000 short
 * documents is a 1 MB body but 1 GB for the tokenizer. The sum stops as soon as it passes the
 * limit, so refusing such a request costs about the limit's worth of counting, not the gigabyte.
 */
export function requireInputWithin(pairs: readonly (readonly [string, string])[], maxInputBytes: number): void {
    let total = 0;
    for (const [query, document] of pairs) {
        total += Buffer.byteLength(query, "utf8") + Buffer.byteLength(document, "utf8");
        if (total > maxInputBytes) {
            throw new HttpError(
                413,
                "input_too_large",
                `this request would have the model read more than ${maxInputBytes} bytes of text (query + document, summed over its ${pairs.length} pairs; the query counts once per document), over the server's limit (serve --max-input-bytes): send fewer documents or a shorter query`
            );
        }
    }
}
