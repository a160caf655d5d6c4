import { describe, expect, it } from "vitest";
import { RerankServer } from "../../../src/server/RerankServer.js";
import { defaultServerLimits, resolveServerLimits, uploadDeadlineMs } from "../../../src/server/ServerLimits.js";
import { exchange, openSocket, startFakeServer } from "./plainHttp.js";
import { WordOverlapScorer } from "./wordOverlapScorer.js";

// The connection cap and the header and idle timeouts, on a real server over a fake Scorer. Every
// check waits for what the server does (an answer, a closed socket), never for a guessed time.

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("connection limits", () => {
    it("has stated defaults and refuses nonsense", () => {
        const limits = resolveServerLimits(undefined);
        expect(limits).toMatchObject({ maxConnections: 256, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxInputBytes: 16 * 2 ** 20 });
        expect(defaultServerLimits.maxConnections).toBeGreaterThan(defaultServerLimits.maxQueuedRequests);
        const scorer = new WordOverlapScorer();
        expect(() => new RerankServer({ scorer, limits: { maxConnections: 0 } })).toThrow(/limits.maxConnections/);
        expect(() => new RerankServer({ scorer, limits: { headersTimeoutMs: 0 } })).toThrow(/limits.headersTimeoutMs/);
        expect(() => new RerankServer({ scorer, limits: { keepAliveTimeoutMs: 1.5 } })).toThrow(/limits.keepAliveTimeoutMs/);
        expect(() => new RerankServer({ scorer, limits: { maxInputBytes: -1 } })).toThrow(/limits.maxInputBytes/);
    });

    it("node's own request deadline never beats the server's JSON timeout, and still bounds uploads when that is off", () => {
        const limits = resolveServerLimits({ requestTimeoutMs: 20, headersTimeoutMs: 100 });
        expect(uploadDeadlineMs(limits)).toBeGreaterThan(limits.requestTimeoutMs + limits.headersTimeoutMs);
        const unbounded = resolveServerLimits({ requestTimeoutMs: 0 });
        expect(uploadDeadlineMs(unbounded)).toBeGreaterThan(0);
        expect(uploadDeadlineMs(unbounded)).toBeGreaterThanOrEqual(unbounded.headersTimeoutMs);
    });

    it("beyond maxConnections a new connection is closed unanswered; a freed slot serves the next", async () => {
        const { url, port, server } = await startFakeServer({ limits: { maxConnections: 2 } });
        try {
            // Two kept-alive connections, each answered once, so the server has surely counted both.
            const held = [await openSocket(port), await openSocket(port)];
            for (const connection of held) {
                connection.socket.write(get("/health"));
                await until(() => connection.received().includes("\r\n\r\n{"));
                expect(connection.received()).toMatch(/^HTTP\/1\.1 200/);
            }
            const third = await openSocket(port);
            third.socket.write(get("/health"));
            await third.closed;
            expect(third.received()).toBe("");

            held[0]!.socket.destroy();
            await held[0]!.closed;
            // The server notices the close on its own turn of the event loop: retry until it has.
            let answer: Awaited<ReturnType<typeof exchange>> | undefined;
            while (answer === undefined) answer = await exchange(`${url}/health`).catch(() => undefined);
            expect(answer.status).toBe(200);
            held[1]!.socket.destroy();
        } finally {
            await server.close();
        }
    });

    it("a connection that does not finish its headers within headersTimeoutMs is answered 408 and closed", { timeout: 20_000 }, async () => {
        const { port, server } = await startFakeServer({ limits: { headersTimeoutMs: 200 } });
        try {
            const partial = await openSocket(port);
            partial.socket.write("POST /v1/rerank HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl");
            const silent = await openSocket(port);
            await Promise.all([partial.closed, silent.closed]);
            expect(partial.received()).toMatch(/^HTTP\/1\.1 408/);
            expect(silent.received()).toMatch(/^HTTP\/1\.1 408/);
            expect(server.stats.activeRequests).toBe(0);
        } finally {
            await server.close();
        }
    });

    it("a kept-alive connection says its idle timeout and is closed after it", { timeout: 20_000 }, async () => {
        const { port, server } = await startFakeServer({ limits: { keepAliveTimeoutMs: 1000 } });
        try {
            const idle = await openSocket(port);
            idle.socket.write(get("/health"));
            await until(() => idle.received().includes("\r\n\r\n{"));
            expect(idle.received()).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
            await idle.closed;
            expect(idle.socket.destroyed).toBe(true);
        } finally {
            await server.close();
        }
    });

    it("a stalled upload is still the server's JSON 503 (its timer runs before node's deadline)", async () => {
        const { port, server, scorer } = await startFakeServer({ limits: { requestTimeoutMs: 50, headersTimeoutMs: 5000 } });
        try {
            const stalled = await openSocket(port);
            stalled.socket.write('POST /v1/rerank HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query": "q", ');
            await until(() => stalled.received().includes("}}"));
            expect(stalled.received()).toMatch(/^HTTP\/1\.1 503/);
            expect(stalled.received()).toMatch(/"type":"timeout"/);
            expect(scorer.calls).toHaveLength(0);
            stalled.socket.destroy();
        } finally {
            await server.close();
        }
    });
});
