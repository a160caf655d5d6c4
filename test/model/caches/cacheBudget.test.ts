import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";

const words = ["apple", "river", "green", "house", "music", "light", "table", "water", "stone", "cloud"];
/** A distinct text of about `length` code units: words in an order set by `seed`. */
function distinctText(seed: number, length: number): string {
    let text = `${seed}`;
    for (let i = 0; text.length < length; i++) text += ` ${words[(seed * 31 + i * ((seed % 7) + 1)) % words.length]}`;
    return text;
}

describe("caches bounded in bytes", () => {
    const tokenCacheBytes = 256 * 1024;
    const scoreCacheBytes = 64 * 1024;
    let reranker: Reranker;

    beforeAll(async () => {
        reranker = await Reranker.load({
            model: testModels.tiny,
            gpu: false,
            threads: 1,
            maxLength: 48,
            tokenCacheBytes,
            scoreCacheSize: 10_000,
            scoreCacheBytes
        });
    });
    afterAll(() => reranker?.dispose());

    it("reports the budgets", () => {
        const { tokens, scores } = reranker.describe().caches;
        expect(tokens).toMatchObject({ maxBytes: tokenCacheBytes, maxEntries: 10_000 });
        expect(scores).toMatchObject({ maxBytes: scoreCacheBytes, maxEntries: 10_000, bytes: 0 });
    });

    it("keeps the token cache within its byte budget while distinct large texts stream through", async () => {
        let most = 0;
        for (let i = 0; i < 80; i++) {
            await reranker.buildInput(distinctText(i, 200), distinctText(1_000 + i, 20_000 + i * 400));
            const { tokens } = reranker.describe().caches;
            expect(tokens.bytes).toBeLessThanOrEqual(tokenCacheBytes);
            most = Math.max(most, tokens.bytes);
        }
        const { tokens } = reranker.describe().caches;
        // the cache was full and forgot texts: 80 passages alone hold more than 3 MB of text
        expect(most).toBeGreaterThan(tokenCacheBytes / 2);
        expect(tokens.entries).toBeLessThan(160);
        expect(tokens.entries).toBeGreaterThan(0);
    });

    it("keeps the score cache within its byte budget", async () => {
        for (let i = 0; i < 12; i++) {
            await reranker.score(Array.from({ length: 4 }, (_, j) => [distinctText(i, 100), distinctText(100 * i + j, 3_000)] as [string, string]));
            expect(reranker.describe().caches.scores.bytes).toBeLessThanOrEqual(scoreCacheBytes);
        }
        const { scores } = reranker.describe().caches;
        expect(scores.bytes).toBeGreaterThan(scoreCacheBytes / 2);
        expect(scores.entries).toBeLessThan(48);
    }, 120_000);
});
