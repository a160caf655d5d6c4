import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { RerankServer, type RerankServerOptions } from "../../../src/server/RerankServer.js";
import { WordOverlapScorer } from "./wordOverlapScorer.js";

export type PlainAnswer = { status: number; headers: Record<string, string | string[] | undefined>; body: unknown; text: string };

/** The `{error: {...}}` body every refusal carries. */
export const errorOf = (answer: PlainAnswer) => (answer.body as { error: { message: string; type: string; code: number } }).error;

/**
 * One request with exactly the headers given (no Content-Type added, unlike test/server's send()),
 * on a connection of its own: what a browser's no-cors fetch or sendBeacon can put on the wire.
 */
export function exchange(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<PlainAnswer> {
    return new Promise((resolve, reject) => {
        const request = httpRequest(
            url,
            { method: options.method ?? (options.body === undefined ? "GET" : "POST"), headers: options.headers, agent: false },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let body: unknown;
                    try {
                        body = JSON.parse(text);
                    } catch {
                        body = undefined;
                    }
                    resolve({ status: response.statusCode!, headers: response.headers, body, text });
                });
                response.on("error", reject);
            }
        );
        request.on("error", reject);
        request.end(options.body);
    });
}

/** A RerankServer over a WordOverlapScorer on 127.0.0.1, port 0, its log kept for the test. */
export async function startFakeServer(
    options: Omit<RerankServerOptions, "scorer" | "reranker"> = {}
): Promise<{ server: RerankServer; scorer: WordOverlapScorer; url: string; port: number; logged: string[] }> {
    const scorer = new WordOverlapScorer();
    const logged: string[] = [];
    const server = new RerankServer({ scorer, port: 0, log: (line) => logged.push(line), ...options });
    const { port } = await server.start();
    return { server, scorer, url: `http://127.0.0.1:${port}`, port, logged };
}

/** A raw TCP connection to 127.0.0.1:port: what it received and when it closed. */
export function openSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        let received = "";
        socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
        const closed = new Promise<void>((done) => socket.on("close", () => done()));
        socket.on("error", () => undefined);
        socket.once("connect", () => resolve({ socket, received: () => received, closed }));
        socket.once("error", reject);
    });
}
