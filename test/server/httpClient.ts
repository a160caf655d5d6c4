import { request as httpRequest } from "node:http";

export type HttpAnswer = { status: number; headers: Record<string, string | string[] | undefined>; body: unknown; text: string };

/**
 * One request over node:http (not fetch): it lets a test set any Host header, send bodies that
 * are not JSON, and see exactly what the server answered.
 */
export function send(
    url: string,
    options: { method?: string; body?: string | Buffer | unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}
): Promise<HttpAnswer> {
    const body =
        options.body === undefined
            ? undefined
            : typeof options.body === "string" || Buffer.isBuffer(options.body)
              ? options.body
              : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
        const request = httpRequest(
            url,
            {
                method: options.method ?? (body === undefined ? "GET" : "POST"),
                headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers },
                signal: options.signal
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let parsed: unknown;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        parsed = undefined;
                    }
                    resolve({ status: response.statusCode!, headers: response.headers, body: parsed, text });
                });
                response.on("error", reject);
            }
        );
        request.on("error", reject);
        request.end(body);
    });
}
