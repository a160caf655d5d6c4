import { invalidArgument, isPlainObject } from "../utils/validate.js";
import { HttpError, invalidRequest } from "./HttpError.js";

// Readers of request fields. Unknown fields are ignored, as the APIs this server imitates do;
// known fields of the wrong type are a 422 in the library's one message format.

export function requireObject(body: unknown): Record<string, unknown> {
    if (!isPlainObject(body)) throw invalidRequest(invalidArgument("the request body", "a JSON object", body).message);
    return body;
}

export function readString(body: Record<string, unknown>, name: string): string {
    const value = body[name];
    if (typeof value !== "string") throw invalidRequest(invalidArgument(name, "a string", value).message);
    return value;
}

/** Booleans may come as true/false or, from form-minded clients, as "true"/"false". */
export function readBoolean(body: Record<string, unknown>, name: string, fallback: boolean): boolean {
    const value = body[name];
    if (value === undefined || value === null) return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    throw invalidRequest(invalidArgument(name, 'a boolean (true, false, "true" or "false")', value).message);
}

/** top_n: 0, null or absent means every result. */
export function readTopN(body: Record<string, unknown>, name: string): number | undefined {
    const value = body[name];
    if (value === undefined || value === null || value === 0) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
        throw invalidRequest(invalidArgument(name, "an integer >= 0 or null", value).message);
    return value;
}

/** The optional model name: any name is accepted (one model is served), but it must be a string. */
export function readModelName(body: Record<string, unknown>): string | undefined {
    const value = body.model;
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalidRequest(invalidArgument("model", "a string", value).message);
    return value;
}

/** A list of texts: strings, or objects with a `text` string (Cohere v1 and Jina allow both). */
export function readTexts(body: Record<string, unknown>, name: string, maxDocuments: number, allowObjects: boolean): string[] {
    const value = body[name];
    if (!Array.isArray(value))
        throw invalidRequest(invalidArgument(name, allowObjects ? "an array of strings or {text} objects" : "an array of strings", value).message);
    if (value.length === 0) throw invalidRequest(`${name} is empty; send at least one document`);
    requireAtMost(value.length, maxDocuments, name);
    return value.map((item, i) => {
        if (typeof item === "string") return item;
        if (allowObjects && isPlainObject(item) && typeof item.text === "string") return item.text;
        throw invalidRequest(invalidArgument(`${name}[${i}]`, allowObjects ? "a string or an object with a text string" : "a string", item).message);
    });
}

export function requireAtMost(count: number, maxDocuments: number, name: string): void {
    if (count > maxDocuments) {
        throw new HttpError(
            413,
            "too_many_documents",
            `${name} has ${count} entries; this server takes at most ${maxDocuments} per request (serve --max-documents), so split the request`
        );
    }
}

/** overflow, window_tokens and window_overlap (see ScoreOptions); the library checks what they mean together. */
export type OverflowRequest = { overflow?: "truncate" | "max-window"; windowTokens?: number; windowOverlap?: number };

export function readOverflow(body: Record<string, unknown>): OverflowRequest {
    const request: OverflowRequest = {};
    const overflow = body.overflow;
    if (overflow !== undefined && overflow !== null) {
        if (overflow !== "truncate" && overflow !== "max-window")
            throw invalidRequest(invalidArgument("overflow", '"truncate" or "max-window"', overflow).message);
        request.overflow = overflow;
    }
    for (const [field, key] of [
        ["window_tokens", "windowTokens"],
        ["window_overlap", "windowOverlap"]
    ] as const) {
        const value = body[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalidRequest(invalidArgument(field, "an integer >= 0", value).message);
        request[key] = value;
    }
    return request;
}
