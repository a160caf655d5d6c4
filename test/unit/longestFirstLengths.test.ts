import { describe, expect, it } from "vitest";
import { longestFirstLengths } from "../../src/input/LongestFirstPairInputBuilder.js";
import { validateProfile } from "../../src/profiles/validateProfile.js";
import { jinaRerankerV2 } from "../../src/profiles/builtin/jinaRerankerV2.js";

describe("longestFirstLengths", () => {
    // The Rust tokenizers' own table (utils/truncation.rs, truncate_encodings_longest_first):
    // max_length 7, texts of 0 (empty), 2 (short), 4 (medium) and 8 (long) ids.
    it.each([
        [0, 0, 0, 0],
        [0, 2, 0, 2],
        [0, 4, 0, 4],
        [0, 8, 0, 7],
        [2, 0, 2, 0],
        [2, 2, 2, 2],
        [2, 4, 2, 4],
        [2, 8, 2, 5],
        [4, 0, 4, 0],
        [4, 2, 4, 2],
        [4, 4, 3, 4],
        [4, 8, 3, 4],
        [8, 0, 7, 0],
        [8, 2, 5, 2],
        [8, 4, 4, 3],
        [8, 8, 3, 4]
    ])("keeps (%i, %i) ids as (%i, %i) within 7, as HF's Rust tokenizers do", (first, second, keepFirst, keepSecond) => {
        expect(longestFirstLengths(first, second, 7)).toEqual([keepFirst, keepSecond]);
    });

    it("never exceeds the budget and cuts nothing that fits", () => {
        for (let budget = 0; budget <= 12; budget++)
            for (let first = 0; first <= 15; first++)
                for (let second = 0; second <= 15; second++) {
                    const [a, b] = longestFirstLengths(first, second, budget);
                    expect(a + b).toBeLessThanOrEqual(Math.max(budget, 0));
                    if (first + second <= budget) expect([a, b]).toEqual([first, second]);
                    expect(a).toBeLessThanOrEqual(first);
                    expect(b).toBeLessThanOrEqual(second);
                }
    });
});

describe("an encoder-pair profile's truncation", () => {
    it("is one of the two the library builds, named in the error otherwise", () => {
        expect(validateProfile({ ...jinaRerankerV2, truncation: "flag-reranker" }).name).toBe("jina-reranker-v2");
        expect(() => validateProfile({ ...jinaRerankerV2, truncation: "only_second" })).toThrow(/profile "jina-reranker-v2"\.truncation/);
        expect(() => validateProfile({ ...jinaRerankerV2, tensorHints: [] })).toThrow(/tensorHints/);
    });
});
