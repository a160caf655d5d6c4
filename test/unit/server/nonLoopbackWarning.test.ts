import { describe, expect, it } from "vitest";
import { exposureWarning } from "../../../src/server/exposureWarning.js";
import { exchange, startFakeServer } from "./plainHttp.js";

// Binding beyond loopback without an API key serves the model to whoever can reach the port: the
// server says so, loudly, when it starts. (Bound to 0.0.0.0 here, but only 127.0.0.1 is contacted.)
describe("the start-up warning for a non-loopback address without an API key", () => {
    it("is printed, several lines naming the address and the fix, when bound to 0.0.0.0 without a key", async () => {
        const { server, port, logged } = await startFakeServer({ host: "0.0.0.0" });
        try {
            expect(logged).toHaveLength(1);
            const lines = logged[0]!.split("\n");
            expect(lines.length).toBeGreaterThanOrEqual(4);
            expect(logged[0]).toMatch(new RegExp(`WARNING.*0\\.0\\.0\\.0:${port}.*NOT loopback.*NO API KEY`));
            expect(logged[0]).toMatch(/--api-key/);
            expect(logged[0]).toMatch(/LLM_RERANK_API_KEY/);
            expect(logged[0]).toMatch(/--host 127\.0\.0\.1/);
            // It still serves (the warning warns; it does not refuse).
            expect((await exchange(`http://127.0.0.1:${port}/health`)).status).toBe(200);
        } finally {
            await server.close();
        }
    });

    it("is not printed with an API key, nor on loopback", async () => {
        for (const options of [{ host: "0.0.0.0", apiKey: "k" }, { host: "127.0.0.1" }, {}]) {
            const { server, logged } = await startFakeServer(options);
            await server.close();
            expect(logged, JSON.stringify(options)).toEqual([]);
        }
    });

    it("covers every non-loopback address, IPv6 and LAN ones included", () => {
        for (const address of ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "fe80::1"]) {
            expect(exposureWarning(address, 8012, false), address).toBeDefined();
        }
        expect(exposureWarning("::", 8012, false)!.join("\n")).toMatch(/\[::\]:8012/);
        for (const address of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(exposureWarning(address, 8012, false), address).toBeUndefined();
    });
});
