import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RerankServer } from "../../../src/server/RerankServer.js";
import { errorOf, exchange, startFakeServer } from "./plainHttp.js";
import { WordOverlapScorer } from "./wordOverlapScorer.js";

// Browsers must not be able to drive the server unasked (issue #16, item 6). A page can send a
// POST without a CORS preflight only with no Content-Type or a form/text one (a no-cors fetch with
// a Blob body, sendBeacon, a form), and always with an Origin header. These run over real HTTP on
// 127.0.0.1 against a fake Scorer, so they need no model.

const rerankBody = JSON.stringify({ query: "how do tides work", documents: ["the moon pulls the tides", "bananas are yellow"] });
const json = { "Content-Type": "application/json" };

describe("browsers cannot drive the server unasked", () => {
    let url: string;
    let scorer: WordOverlapScorer;
    let server: RerankServer;

    beforeAll(async () => {
        ({ url, scorer, server } = await startFakeServer({ allowedOrigins: ["http://localhost:5173", "https://App.Example"] }));
    });
    afterAll(() => server.close());

    it("the issue's request (a POST with no Content-Type from Origin: https://evil.example) is refused, and nothing is scored", async () => {
        const before = scorer.calls.length;
        const answer = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { Origin: "https://evil.example" } });
        expect(answer.status).toBe(403);
        expect(errorOf(answer)).toMatchObject({ type: "forbidden_origin", code: 403 });
        expect(errorOf(answer).message).toMatch(/--allow-origin/);
        expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
        expect(scorer.calls.length).toBe(before);
    });

    it("415 for every body a page can send without a preflight, a missing Content-Type included", async () => {
        const before = scorer.calls.length;
        for (const headers of <Record<string, string>[]>[
            {},
            { "Content-Type": "text/plain" },
            { "Content-Type": "text/plain;charset=UTF-8" },
            { "Content-Type": "application/x-www-form-urlencoded" },
            { "Content-Type": "multipart/form-data; boundary=x" },
            { "Content-Type": "text/json" }
        ]) {
            for (const path of ["/v1/rerank", "/rerank", "/v2/rerank", "/reranking", "/score", "/v1/score"]) {
                const answer = await exchange(url + path, { body: rerankBody, headers });
                const label = `${path} ${JSON.stringify(headers)}`;
                expect(answer.status, label).toBe(415);
                expect(errorOf(answer), label).toMatchObject({ type: "unsupported_media_type", code: 415 });
                expect(errorOf(answer).message, label).toMatch(/Content-Type: application\/json/);
            }
        }
        expect(scorer.calls.length).toBe(before);
    });

    it("JSON bodies (application/json, with parameters) are read and scored as before; no Origin: no CORS headers", async () => {
        for (const contentType of ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"]) {
            const answer = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { "Content-Type": contentType } });
            expect(answer.status, contentType).toBe(200);
            const results = (answer.body as { results: { index: number; relevance_score: number }[] }).results;
            const raw = WordOverlapScorer.rawScoreOf("how do tides work", "the moon pulls the tides");
            expect(results[0]).toMatchObject({ index: 0, relevance_score: 1 / (1 + Math.exp(-raw)) });
            expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
            expect(answer.headers.vary).toBe("Origin");
        }
    });

    it("403 with a typed JSON error for an Origin not listed, on every route and method, the preflight included", async () => {
        const origins = [
            "https://evil.example",
            "null",
            "http://localhost:5174",
            "https://localhost:5173",
            "http://localhost",
            "https://app.example.evil.example"
        ];
        for (const origin of origins) {
            const requests: [string, string, Record<string, string>, string | undefined][] = [
                ["POST", "/v1/rerank", json, rerankBody],
                ["GET", "/health", {}, undefined],
                ["GET", "/v1/models", {}, undefined],
                ["OPTIONS", "/v1/rerank", { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" }, undefined],
                ["POST", "/v1/embeddings", json, rerankBody]
            ];
            for (const [method, path, headers, body] of requests) {
                const answer = await exchange(url + path, { method, body, headers: { ...headers, Origin: origin } });
                const label = `${method} ${path} from ${origin}`;
                expect(answer.status, label).toBe(403);
                expect(answer.headers["content-type"], label).toMatch(/^application\/json/);
                expect(errorOf(answer), label).toMatchObject({ type: "forbidden_origin", code: 403 });
                expect(typeof errorOf(answer).message).toBe("string");
                expect(answer.headers["access-control-allow-origin"], label).toBeUndefined();
            }
        }
    });

    it("an allowed origin's preflight is answered 204 with the CORS headers a browser needs", async () => {
        for (const origin of ["http://localhost:5173", "https://app.example"]) {
            const preflight = await exchange(`${url}/v1/rerank`, {
                method: "OPTIONS",
                headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" }
            });
            expect(preflight.status, origin).toBe(204);
            expect(preflight.text).toBe("");
            expect(preflight.headers["access-control-allow-origin"]).toBe(origin);
            expect(preflight.headers["access-control-allow-methods"]).toBe("POST");
            expect(preflight.headers["access-control-allow-headers"]).toBe("Content-Type, Authorization");
            expect(Number(preflight.headers["access-control-max-age"])).toBeGreaterThan(0);
            expect(preflight.headers.vary).toBe("Origin");
            expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
            expect(preflight.headers["access-control-allow-private-network"]).toBeUndefined();
        }
        const health = await exchange(`${url}/health`, {
            method: "OPTIONS",
            headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "GET" }
        });
        expect(health.status).toBe(204);
        expect(health.headers["access-control-allow-methods"]).toBe("GET, HEAD");
        // Chromium's Private Network Access preflight (a public page asking for a loopback server).
        const privateNetwork = await exchange(`${url}/v1/score`, {
            method: "OPTIONS",
            headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true" }
        });
        expect(privateNetwork.status).toBe(204);
        expect(privateNetwork.headers["access-control-allow-private-network"]).toBe("true");
        // A preflight for an unknown path is still a 404 (with the origin's CORS headers, so the page can read it).
        const unknown = await exchange(`${url}/v1/embeddings`, { method: "OPTIONS", headers: { Origin: "https://app.example" } });
        expect(unknown.status).toBe(404);
        expect(unknown.headers["access-control-allow-origin"]).toBe("https://app.example");
    });

    it("an allowed origin's requests are served with Access-Control-Allow-Origin and Vary: Origin, its refusals too", async () => {
        const served = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { ...json, Origin: "http://localhost:5173" } });
        expect(served.status).toBe(200);
        expect(served.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
        expect(served.headers.vary).toBe("Origin");
        expect((served.body as { results: unknown[] }).results).toHaveLength(2);
        // Even an allowed page cannot skip the JSON content type.
        const text = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { "Content-Type": "text/plain", Origin: "http://localhost:5173" } });
        expect(text.status).toBe(415);
        expect(text.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
        const health = await exchange(`${url}/health`, { headers: { Origin: "https://app.example" } });
        expect(health.status).toBe(200);
        expect(health.headers["access-control-allow-origin"]).toBe("https://app.example");
    });

    it("requests without an Origin (curl, SDKs, tools) are unaffected; a plain OPTIONS says what the path allows", async () => {
        expect((await exchange(`${url}/v1/score`, { body: JSON.stringify({ text_1: "q", text_2: ["a", "q"] }), headers: json })).status).toBe(200);
        expect((await exchange(`${url}/health`)).status).toBe(200);
        const options = await exchange(`${url}/v1/rerank`, { method: "OPTIONS" });
        expect(options.status).toBe(204);
        expect(options.headers.allow).toBe("POST, OPTIONS");
        expect(options.headers["access-control-allow-origin"]).toBeUndefined();
    });
});

describe("--allow-origin values", () => {
    it("refuses '*' without an API key, 'null', and anything that is not a bare origin", () => {
        const scorer = new WordOverlapScorer();
        expect(() => new RerankServer({ scorer, allowedOrigins: ["*"] })).toThrow(/'\*' needs an API key/);
        expect(() => new RerankServer({ scorer, allowedOrigins: ["null"] })).toThrow(/Origin: null/);
        for (const bad of ["https://app.example/", "https://app.example/path", "app.example", "localhost:5173", "", "https://user@app.example"]) {
            expect(() => new RerankServer({ scorer, allowedOrigins: [bad] }), bad).toThrow(/expects an origin such as/);
        }
        expect(() => new RerankServer({ scorer, allowedOrigins: ["*"], apiKey: "k" })).not.toThrow();
        expect(() => new RerankServer({ scorer, allowedOrigins: ["chrome-extension://abcdef", "tauri://localhost"] })).not.toThrow();
    });

    it("'*' with an API key: any page gets CORS answers, and still needs the key", async () => {
        const { url, server, scorer } = await startFakeServer({ allowedOrigins: ["*"], apiKey: "s3cret" });
        try {
            const origin = "https://anything.example";
            const preflight = await exchange(`${url}/v1/rerank`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST" } });
            expect(preflight.status).toBe(204);
            expect(preflight.headers["access-control-allow-origin"]).toBe(origin);
            expect(preflight.headers["access-control-allow-headers"]).toMatch(/Authorization/);
            const keyless = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { ...json, Origin: origin } });
            expect(keyless.status).toBe(401);
            expect(keyless.headers["access-control-allow-origin"]).toBe(origin);
            expect(scorer.calls).toHaveLength(0);
            const keyed = await exchange(`${url}/v1/rerank`, { body: rerankBody, headers: { ...json, Origin: origin, Authorization: "Bearer s3cret" } });
            expect(keyed.status).toBe(200);
            expect(scorer.calls).toHaveLength(1);
        } finally {
            await server.close();
        }
    });
});
