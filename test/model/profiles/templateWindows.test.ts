import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker, type PassageWindows } from "../../../src/index.js";
import { zerank } from "../../../src/profiles/builtin/zerank.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { packingTolerance } from "../../helpers/packingTolerance.js";

// overflow "max-window" through a template profile: a "joined" template whose document's run of
// text starts with template text ("user\n"), written as a profile file (zerank without its
// character cut, which windows would otherwise have to respect). The tolerance is
// test/model/maxWindow.test.ts's: a sequence packed with others differs from it scored alone only
// by the order of float reductions.
const query = "how do tides work?";
const maxLength = 96;

function longPassage(words: number): string {
    const vocabulary = "the moon pulls on oceans and tides rise twice each day while the sun adds spring tides at new moon bananas are yellow".split(" ");
    return Array.from({ length: words }, (_, i) => vocabulary[(i * 7) % vocabulary.length]! + (i % 13 === 12 ? "," : "")).join(" ");
}

describe("overflow max-window with a template profile file", () => {
    let reranker: Reranker;
    let wide: Reranker;
    let windowed: PassageWindows[] = [];
    const passage = longPassage(maxLength * 8);

    beforeAll(async () => {
        const { maxCharacters: _cut, ...windowable } = zerank;
        const file = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-windows-")), "zerank-whole.json");
        writeFileSync(file, JSON.stringify({ ...windowable, name: "zerank-whole", nameHints: [] }));
        const model = await ensureQwen3TinyModel();
        reranker = await Reranker.load({ model, gpu: false, profile: file, maxLength });
        wide = await Reranker.load({ model, gpu: false, profile: file, maxLength: 4096, slots: 1 });
        await reranker.rerank(query, [passage], { overflow: "max-window", onWindows: (passages) => (windowed = passages) });
    });
    afterAll(async () => {
        await reranker?.dispose();
        await wide?.dispose();
    });

    it("cuts a passage far longer than maxLength into windows kept whole, each scored as its text alone", async () => {
        const { windows, best } = windowed[0]!;
        expect(windows.length).toBeGreaterThan(5);
        expect(windows.at(-1)!.end).toBe(passage.length);
        for (const window of windows) {
            const text = passage.slice(window.start, window.end);
            const input = await reranker.buildInput(query, text);
            expect(input).toEqual(await wide.buildInput(query, text));
            expect(input.length).toBeLessThanOrEqual(maxLength);
            const [alone] = await reranker.score([[query, text]]);
            expect(Math.abs(window.score - alone!)).toBeLessThanOrEqual(packingTolerance);
        }
        const scores = windows.map((window) => window.score);
        expect(best).toBe(scores.indexOf(Math.max(...scores)));
    });
});
