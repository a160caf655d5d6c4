import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinCanaries } from "../../src/health/canaryPairs.js";
import { saturatedLogOdds } from "../../src/health/diagnoseCanaryScores.js";
import type { Canary } from "../../src/health/ModelHealth.js";
import { Reranker, type RerankWarning } from "../../src/index.js";
import { bertTinyModelPath } from "../bert/bertTestModel.js";
import {
    allRows,
    forgetProvenance,
    shiftColumn,
    swapRows,
    tokenId,
    untiedHeadFromEmbeddings,
    writeEditedModel,
    writePatchedModel,
    zeroed,
    zeroTensor
} from "../helpers/degenerateModels.js";
import { testModels } from "../helpers/testModels.js";
import { qwen3TinyModelPath } from "../qwen3/qwen3TestModel.js";

// The canaries prove nothing on random weights, so the health check is tested on files broken on
// purpose (copies of the generated models with one tensor edited), and the generated models
// themselves must not set off the rules that do not depend on training (constant, saturated).
const cpu = { gpu: false, threads: 1 } as const;
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-health-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const file = (name: string) => path.join(workDir, name);

async function loadCollecting(model: string, options: { healthCheck?: boolean } = {}) {
    const warnings: RerankWarning[] = [];
    const reranker = await Reranker.load({ model, ...cpu, ...options, onWarning: (warning) => warnings.push(warning) });
    return { reranker, warnings };
}

describe("the health check on the generated (healthy, random-weight) models", () => {
    it("does not run at load, and asked for, finds nothing constant, saturated or non-finite", async () => {
        // qwen3-tiny is checked the same way in the swap test below, which loads it anyway.
        for (const model of [testModels.tiny, bertTinyModelPath]) await expectHealthyGenerated(model);
    });
});

async function expectHealthyGenerated(model: string, reranker?: Reranker): Promise<void> {
    const loaded = reranker ? { reranker, warnings: [] } : await loadCollecting(model);
    try {
        expect(loaded.reranker.describe().health).toMatchObject({ status: "skipped", findings: [], canaries: [] });
        expect(loaded.warnings.filter((w) => w.code.startsWith("HEALTH_"))).toEqual([]);
        const report = await loaded.reranker.checkHealth();
        expect(report, model).toMatchObject({ status: "healthy", findings: [], orderingJudged: false });
        expect(report.canaries.length).toBeGreaterThanOrEqual(2);
        expect(loaded.reranker.describe().health).toEqual(report);
    } finally {
        if (!reranker) await loaded.reranker.dispose();
    }
}

describe("the health check on constructed degenerate files", () => {
    it("a zeroed classifier head (bert): warned at load as constant, with the cause; nothing with healthCheck: false", async () => {
        const model = await writeEditedModel(bertTinyModelPath, file("bert-head-zeroed.gguf"), [
            zeroTensor("cls.output.weight"),
            forgetProvenance // a file that does not say its weights are random is checked at load
        ]);
        const { reranker, warnings } = await loadCollecting(model);
        try {
            const health = warnings.filter((w) => w.code.startsWith("HEALTH_"));
            expect(health.map((w) => w.code)).toEqual(["HEALTH_CONSTANT_SCORES"]);
            expect(health[0]).toMatchObject({ message: expect.stringContaining(model), cause: expect.stringMatching(/cls\.output\.weight.*only its bias/) });
            const report = reranker.describe().health!;
            expect(report).toMatchObject({ status: "degenerate", orderingJudged: true });
            // Only the head's bias reaches the score: one value, whatever the input.
            expect(new Set(report.canaries.flatMap((c) => [c.relevant, c.irrelevant])).size).toBe(1);
            expect(report.cost.pairs).toBe(2 * report.canaries.length);
        } finally {
            await reranker.dispose();
        }
        const quiet = await loadCollecting(model, { healthCheck: false });
        expect(quiet.reranker.describe().health).toBeNull();
        expect(quiet.warnings.filter((w) => w.code.startsWith("HEALTH_"))).toEqual([]);
        await quiet.reranker.dispose();
    });

    it("a zeroed score-token row (Gemma's 'Yes' in the tied LM head) and constant logits (Qwen3's final norm zeroed)", async () => {
        const gemma = await writePatchedModel(testModels.tiny, file("gemma-yes-zeroed.gguf"), [
            { tensor: "token_embd.weight", rows: (id) => [id("Yes")], values: zeroed }
        ]);
        const qwen3 = await writePatchedModel(qwen3TinyModelPath, file("qwen3-norm-zeroed.gguf"), [
            { tensor: "output_norm.weight", rows: allRows(1), values: zeroed }
        ]);
        for (const [model, cause, only] of [
            [gemma, /"Yes".*zero/, 0], // a zero row's logit is exactly 0
            [qwen3, /"yes" and "no".*zero or equal.*output_norm/, 0.5] // two zero logits: P(yes) exactly 1/2
        ] as const) {
            const { reranker } = await loadCollecting(model);
            try {
                const report = await reranker.checkHealth();
                expect(
                    report.findings.map((f) => f.code),
                    model
                ).toEqual(["HEALTH_CONSTANT_SCORES"]);
                expect(report.findings[0]!.cause).toMatch(cause);
                expect(new Set(report.canaries.flatMap((c) => [c.relevant, c.irrelevant]))).toEqual(new Set([only]));
            } finally {
                await reranker.dispose();
            }
        }
    });

    it("saturated: every P(yes) near 0 (the ~1e-20 of broken Qwen3-Reranker files), relevant passages included", async () => {
        // Every token's embedding gets +100 in dimension 0 (the tied cls.output rows too, so the file
        // stays a tied one, scored through the logits), so the final hidden state is positive there
        // for every input; an untied LM head whose "yes" row reads −3 and "no" row +3 from that
        // dimension alone puts l_yes − l_no far below −ln(2^24) for every pair.
        const model = await writeEditedModel(qwen3TinyModelPath, file("qwen3-saturated.gguf"), [
            shiftColumn("token_embd.weight", 0, 100),
            shiftColumn("cls.output.weight", 0, 100),
            untiedHeadFromEmbeddings((head, width, image) => {
                for (const [token, value] of [
                    ["yes", -3],
                    ["no", 3]
                ] as const) {
                    const row = tokenId(image, token) * width;
                    head.fill(0, row, row + width);
                    head[row] = value;
                }
            })
        ]);
        const { reranker } = await loadCollecting(model);
        try {
            expect(reranker.describe().scoreHead.kind).toBe("logits");
            const report = await reranker.checkHealth();
            expect(report.findings.map((f) => f.code)).toEqual(["HEALTH_SATURATED_SCORES"]);
            for (const canary of report.canaries) expect(Math.max(canary.relevant, canary.irrelevant)).toBeLessThan(1 / (1 + Math.exp(saturatedLogOdds)));
            expect(report.findings[0]!.fix).toMatch(/b6578/);
        } finally {
            await reranker.dispose();
        }
    });

    it("yes/no swapped in the LM head: every canary the healthy file orders right comes out inverted", async () => {
        // Random weights order the built-in canaries at random, so healthiness is constructed: each
        // canary's "relevant" passage is the one the unedited model scores higher. The edited file's
        // head has the rows of "yes" and "no" exchanged (inputs unchanged), so l_yes − l_no changes sign.
        const healthy = await Reranker.load({ model: qwen3TinyModelPath, ...cpu });
        let ordered: Canary[];
        try {
            await expectHealthyGenerated(qwen3TinyModelPath, healthy);
            const scores = healthy.describe().health!.canaries; // the built-in canaries, as the unedited model scores them
            ordered = builtinCanaries.map((c, i) =>
                scores[i]!.relevant > scores[i]!.irrelevant ? c : { ...c, relevant: c.irrelevant, irrelevant: c.relevant }
            );
            const report = await healthy.runHealthCheck({ atLoad: false, canaries: ordered }, { randomWeights: false });
            expect(report).toMatchObject({ status: "healthy", orderingJudged: true });
            expect(report.notes).toContain(`the relevant passage ranked first in ${ordered.length} of ${ordered.length} languages`);
        } finally {
            await healthy.dispose();
        }
        const model = await writeEditedModel(qwen3TinyModelPath, file("qwen3-yes-no-swapped.gguf"), [
            untiedHeadFromEmbeddings((head, width, image) => swapRows(head, width, tokenId(image, "yes"), tokenId(image, "no")))
        ]);
        const { reranker } = await loadCollecting(model);
        try {
            expect(reranker.describe().scoreHead.kind).toBe("logits");
            const report = await reranker.runHealthCheck({ atLoad: false, canaries: ordered }, { randomWeights: false });
            expect(report.findings.map((f) => f.code)).toEqual(["HEALTH_INVERTED_RANKING"]);
            expect(report.findings[0]!.cause).toMatch(/"yes" and "no" are swapped/);
        } finally {
            await reranker.dispose();
        }
    });
});

describe("llm-rerank check --model FILE (no --against)", () => {
    it("prints the report as JSON, names each finding on stderr and exits 3 on a degenerate file", () => {
        const run = spawnSync(
            process.execPath,
            ["dist/cli/cli.js", "check", "--model", file("bert-head-zeroed.gguf"), "--gpu", "cpu", "--threads", "1", "--json"],
            {
                encoding: "utf8"
            }
        );
        expect(run.status).toBe(3);
        expect(JSON.parse(run.stdout)).toMatchObject({ status: "degenerate", profile: "bge-reranker-v2-m3", findings: [{ code: "HEALTH_CONSTANT_SCORES" }] });
        expect(run.stderr).toContain("llm-rerank: HEALTH_CONSTANT_SCORES:");
        expect(() => execFileSync(process.execPath, ["dist/cli/cli.js", "check", "--model", testModels.tiny, "--pairs", "x.jsonl"], { stdio: "pipe" })).toThrow(
            /--pairs and --top compare two models: add --against/
        );
    });
});
