import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { kendallTauB } from "../../src/check/compareScores.js";
import { Reranker } from "../../src/index.js";
import { loadGoldenPairs } from "../helpers/goldenPairs.js";
import { referenceTolerance } from "../helpers/referenceTolerance.js";
import { testModels } from "../helpers/testModels.js";
import { GemmaReference } from "../reference/GemmaReference.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-check-"));

/** `llm-rerank check --json` of the tiny F32 model against another model. */
function runCheckJson(against: string, pairsFile: string) {
    const args = ["dist/cli/cli.js", "check", "--model", testModels.tiny, "--against", against, "--pairs", pairsFile, "--gpu", "cpu", "--json"];
    return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
}

describe("llm-rerank check", () => {
    it("reports F32 against F16 as the reference predicts", async () => {
        const pairs = loadGoldenPairs().filter(([, passage]) => passage.length < 500);
        const pairsFile = path.join(workDir, "pairs.jsonl");
        writeFileSync(pairsFile, pairs.map(([query, passage]) => JSON.stringify({ query, passage })).join("\n"));
        const report = runCheckJson(testModels.tinyF16, pairsFile);

        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        const inputs = await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage)));
        const yesId = reranker.describe().scoreTokens[0]!.id;
        await reranker.dispose();
        // The reference reads the F16 file's weights exactly, so it predicts what F16 storage costs.
        const f32 = GemmaReference.open(testModels.tiny);
        const f16 = GemmaReference.open(testModels.tinyF16);
        const expectedA = inputs.map((tokens) => f32.lastLogits(tokens, [yesId])[0]!);
        const expectedB = inputs.map((tokens) => f16.lastLogits(tokens, [yesId])[0]!);
        const expectedDiffs = expectedA.map((a, i) => Math.abs(a - expectedB[i]!));

        expect(report).toMatchObject({
            pairs: pairs.length,
            comparedPairs: pairs.length,
            nonFiniteA: 0,
            nonFiniteB: 0,
            weightTypeA: "F32",
            weightTypeB: "F16"
        });
        report.scoresA.forEach((score: number, i: number) => expect(Math.abs(score - expectedA[i]!)).toBeLessThanOrEqual(referenceTolerance));
        report.scoresB.forEach((score: number, i: number) => expect(Math.abs(score - expectedB[i]!)).toBeLessThanOrEqual(referenceTolerance));
        expect(Math.abs(report.maxAbsDiff - Math.max(...expectedDiffs))).toBeLessThanOrEqual(2 * referenceTolerance);
        expect(report.maxAbsDiff).toBeGreaterThan(0);
        expect(report.kendallTau).toBeCloseTo(kendallTauB(report.scoresA, report.scoresB), 12);
    });

    it("counts non-finite scores instead of failing", () => {
        const pairsFile = path.join(workDir, "two.jsonl");
        writeFileSync(pairsFile, [JSON.stringify({ query: "q", passage: "a" }), JSON.stringify({ query: "q", passage: "b" })].join("\n"));
        const report = runCheckJson(testModels.tinyOverflow, pairsFile);
        expect(report).toMatchObject({ pairs: 2, nonFiniteA: 0, nonFiniteB: 2, comparedPairs: 0 });
    });
});

describe("kendallTauB", () => {
    it("is 1 for the same order, -1 for the reverse, and handles ties", () => {
        expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
        expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
        // Hand-computed: pairs (1,2) tie in b; concordant 5, discordant 0, ties in b 1 → 5/sqrt(6*5).
        expect(kendallTauB([1, 2, 3, 4], [1, 1, 3, 4])).toBeCloseTo(5 / Math.sqrt(30), 12);
    });
});
