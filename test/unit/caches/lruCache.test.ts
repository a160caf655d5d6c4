import { describe, expect, it } from "vitest";
import { rerankerOptionsFrom } from "../../../src/cli/commonOptions.js";
import { readLoadOptions } from "../../../src/load/readLoadOptions.js";
import { entryOverheadBytes, LruCache, stringBytes } from "../../../src/utils/LruCache.js";

const textSize = (key: string, value: Int32Array) => stringBytes(key) + value.byteLength + entryOverheadBytes;

describe("LruCache bounded in bytes", () => {
    it("keeps the bytes of distinct large entries within the budget, forgetting the least recently used", () => {
        const budget = 100_000;
        const cache = new LruCache<string, Int32Array>(10_000, budget, textSize);
        let maxSeen = 0;
        for (let i = 0; i < 200; i++) {
            cache.set(`${i}:`.padEnd(5_000 + ((i * 7919) % 9_000), "x"), new Int32Array(100 + (i % 50)));
            maxSeen = Math.max(maxSeen, cache.bytes);
            expect(cache.bytes).toBeLessThanOrEqual(budget);
        }
        expect(maxSeen).toBeGreaterThan(budget / 2);
        expect(cache.size).toBeLessThan(200);
        // the newest entry survives; the oldest are gone
        expect(cache.get(`199:`.padEnd(5_000 + ((199 * 7919) % 9_000), "x"))).toBeDefined();
        expect(cache.get(`0:`.padEnd(5_000, "x"))).toBeUndefined();
    });

    it("counts key, value and overhead, and gives the bytes back on replace, eviction and clear", () => {
        const cache = new LruCache<string, Int32Array>(2, 1_000_000, textSize);
        cache.set("ab", new Int32Array(3));
        expect(cache.bytes).toBe(4 + 12 + entryOverheadBytes);
        cache.set("ab", new Int32Array(1));
        expect(cache.bytes).toBe(4 + 4 + entryOverheadBytes);
        cache.set("cd", new Int32Array(1));
        cache.set("ef", new Int32Array(1));
        expect(cache.size).toBe(2);
        expect(cache.bytes).toBe(2 * (4 + 4 + entryOverheadBytes));
        cache.clear();
        expect(cache.bytes).toBe(0);
    });

    it("refuses an entry larger than the whole budget without evicting the others", () => {
        const cache = new LruCache<string, Int32Array>(10, 1_000, textSize);
        cache.set("small", new Int32Array(4));
        cache.set("huge", new Int32Array(1_000));
        expect(cache.get("huge")).toBeUndefined();
        expect(cache.get("small")).toBeDefined();
    });

    it("keeps the entry bound: least recently used goes first", () => {
        const cache = new LruCache<string, number>(2);
        cache.set("a", 1);
        cache.set("b", 2);
        cache.get("a");
        cache.set("c", 3);
        expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, undefined, 3]);
        expect(cache.bytes).toBe(2 * entryOverheadBytes);
    });

    it("stores nothing with a budget of 0 bytes or 0 entries", () => {
        const noBytes = new LruCache<string, number>(10, 0);
        const noEntries = new LruCache<string, number>(0, 1_000);
        noBytes.set("a", 1);
        noEntries.set("a", 1);
        expect([noBytes.size, noEntries.size, noBytes.bytes, noEntries.bytes]).toEqual([0, 0, 0, 0]);
    });
});

describe("cache byte options", () => {
    it("default to 64 MiB each and take the CLI's --token-cache-bytes and --score-cache-bytes", () => {
        const defaults = readLoadOptions({ model: "m.gguf" });
        expect([defaults.tokenCacheBytes, defaults.scoreCacheBytes]).toEqual([64 * 1024 * 1024, 64 * 1024 * 1024]);
        const options = rerankerOptionsFrom({ model: "m.gguf", "token-cache-bytes": "1000", "score-cache-bytes": "0" });
        expect([options.tokenCacheBytes, options.scoreCacheBytes]).toEqual([1000, 0]);
        const settings = readLoadOptions(options);
        expect([settings.tokenCacheBytes, settings.scoreCacheBytes]).toEqual([1000, 0]);
    });

    it("refuses a negative or fractional budget", () => {
        expect(() => readLoadOptions({ model: "m.gguf", tokenCacheBytes: -1 })).toThrow(/tokenCacheBytes/);
        expect(() => readLoadOptions({ model: "m.gguf", scoreCacheBytes: 1.5 })).toThrow(/scoreCacheBytes/);
        expect(() => rerankerOptionsFrom({ model: "m.gguf", "token-cache-bytes": "lots" })).toThrow(/--token-cache-bytes/);
    });
});
