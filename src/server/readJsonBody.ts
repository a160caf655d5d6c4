import type { IncomingMessage } from "node:http";
import { HttpError } from "./HttpError.js";

/**
 * Reads a JSON request body of at most `maxBytes`, sent with a JSON Content-Type (415 otherwise,
 * a missing one included). A body declared or found larger is drained
 * and refused with 413 (draining lets the client finish sending and read the answer, instead of
 * seeing its connection reset); a declared size far beyond the limit is refused at once.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
    const contentType = request.headers["content-type"];
    // A missing Content-Type is refused too: a browser sends a body without one (or with text/plain,
    // a form's types) without asking the server first; application/json makes it send a CORS
    // preflight, which only --allow-origin origins pass.
    if (contentType === undefined || !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
        request.resume();
        throw new HttpError(
            415,
            "unsupported_media_type",
            `send the body as JSON with Content-Type: application/json, not ${contentType === undefined ? "without a Content-Type" : contentType}`
        );
    }
    const tooLarge = () =>
        new HttpError(413, "payload_too_large", `the request body is larger than the server's limit of ${maxBytes} bytes (serve --max-body-bytes)`);
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (declared > maxBytes * 16) throw tooLarge();
    const chunks: Buffer[] = [];
    let received = 0;
    try {
        for await (const chunk of request as AsyncIterable<Buffer>) {
            received += chunk.length;
            if (received <= maxBytes) chunks.push(chunk);
        }
    } catch (error) {
        // The client went away mid-upload (or sent a broken chunked body): its fault, not the server's.
        throw new HttpError(400, "incomplete_body", `the request body ended early: ${(error as Error).message}`);
    }
    if (received > maxBytes) throw tooLarge();
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") throw new HttpError(400, "invalid_json", "the request body is empty; send a JSON object");
    try {
        return JSON.parse(text) as unknown;
    } catch (error) {
        throw new HttpError(400, "invalid_json", `the request body is not valid JSON: ${(error as Error).message}`);
    }
}
