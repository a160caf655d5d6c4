import http from "node:http";
import type { AddressInfo } from "node:net";

export type ServedRequest = { path: string; range: { start: number; end: number } | undefined; bytesSent: number; dropped: boolean };

/**
 * A real HTTP server on 127.0.0.1 that serves files with Range support, as a CDN does, and logs
 * every request with the bytes it actually sent. `dropOnceAt` makes the first ranged response
 * that spans that byte offset stop there and cut the connection.
 */
export class ModelFileServer {
    readonly requests: ServedRequest[] = [];
    private readonly files = new Map<string, Buffer>();
    private readonly dropOnceAt = new Map<string, number>();
    private readonly server = http.createServer((request, response) => this.answer(request, response));

    serve(urlPath: string, body: Buffer, options: { dropOnceAt?: number } = {}): void {
        this.files.set(urlPath, body);
        if (options.dropOnceAt !== undefined) this.dropOnceAt.set(urlPath, options.dropOnceAt);
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
        const urlPath = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const body = this.files.get(urlPath);
        const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
        const range = match && body ? { start: Number(match[1]), end: match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1 } : undefined;
        const logged: ServedRequest = { path: urlPath, range, bytesSent: 0, dropped: false };
        this.requests.push(logged);
        if (!body) {
            response.writeHead(404).end();
            return;
        }
        const start = range?.start ?? 0;
        const end = range?.end ?? body.length - 1;
        const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes", "content-length": String(end - start + 1), etag: '"v1"' };
        if (range) response.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${body.length}` });
        else response.writeHead(200, headers);
        if (request.method === "HEAD") {
            response.end();
            return;
        }
        const dropAt = this.dropOnceAt.get(urlPath);
        // Only ranged responses: the downloader opens with a plain GET it closes once it has the size.
        const stopAt = range && dropAt !== undefined && start <= dropAt && dropAt <= end ? dropAt : end + 1;
        if (stopAt <= end) {
            this.dropOnceAt.delete(urlPath);
            // Marked now: on a loaded machine the client may give up on this response before the
            // server reaches the drop point, and the response is cut short either way.
            logged.dropped = true;
        }
        this.send(response, body, start, stopAt, logged, stopAt <= end);
    }

    // Writes in 256 KiB pieces with back-pressure, so bytesSent counts what left for the client.
    private send(response: http.ServerResponse, body: Buffer, from: number, to: number, logged: ServedRequest, drop: boolean): void {
        let offset = from;
        const pump = (): void => {
            while (offset < to) {
                const piece = body.subarray(offset, Math.min(to, offset + 256 * 1024));
                offset += piece.length;
                logged.bytesSent += piece.length;
                if (!response.write(piece)) {
                    response.once("drain", pump);
                    return;
                }
            }
            if (drop) {
                response.socket?.destroy();
            } else response.end();
        };
        response.on("close", () => response.off("drain", pump));
        pump();
    }
}
