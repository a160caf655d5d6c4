import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";

// A 1 MB passage takes llama.cpp's tokenizer hundreds of milliseconds. It must run off the JS
// thread: the event loop turns (a setImmediate scheduled after the call fires) before the call
// resolves. Were it run on the JS thread inside the call, the promise would settle first.
describe("tokenization off the main thread", () => {
    let reranker: Reranker;
    const megabyte = "The moon pulls on the oceans and the tides follow. ".repeat(20_000);

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, tokenCacheSize: 0, threads: 1 });
    });

    afterAll(async () => {
        await reranker?.dispose();
    });

    it("lets the event loop turn while a 1 MB passage is tokenized, with the same ids as a short text's prefix", async () => {
        expect(megabyte.length).toBeGreaterThanOrEqual(1_000_000);
        let turned = false;
        const building = reranker.buildInput("tides", megabyte).then((tokens) => ({ tokens, turnedFirst: turned }));
        setImmediate(() => (turned = true));
        const { tokens, turnedFirst } = await building;
        expect(turnedFirst).toBe(true);
        // Truncated to the profile's budget exactly as a passage of the first ~3 KB would be.
        expect(tokens).toEqual(await reranker.buildInput("tides", megabyte.slice(0, 4000)));
    });

    it("scores 1 MB passages, a 1 MB run of one character among them, as their truncated inputs", async () => {
        const pairs: [string, string][] = [
            ["tides", megabyte],
            ["moon", "x".repeat(1_000_000)]
        ];
        const inputs = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
        expect(await reranker.score(pairs)).toEqual(await reranker.scoreTokens(inputs));
    });
});
