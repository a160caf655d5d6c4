import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { ensureQwen3UntiedRankModel } from "../../qwen3/qwen3RankTestModels.js";
import { ensureBertTinyModel } from "../../bert/bertTestModel.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-rank-cli-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function cli(...args: string[]) {
    const result = spawnSync(process.execPath, ["dist/cli/cli.js", ...args, "--gpu", "cpu", "--threads", "1"], { encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const query = "how do tides work?";
const passages = ["The moon's gravity pulls on the oceans.", "Bananas are yellow.", "Tides rise and fall twice a day.", "東京都の人口は約1400万人です。"];

function pairsFile(model: string): string {
    const file = path.join(workDir, `${path.basename(model)}.jsonl`);
    writeFileSync(file, passages.map((passage) => JSON.stringify({ query, passage })).join("\n"));
    return file;
}

describe.each([
    ["bge-reranker-v2-m3 on bert-tiny", ensureBertTinyModel],
    ["qwen3-reranker on the untied rank head", ensureQwen3UntiedRankModel]
])("the CLI with %s", (_, ensureModel) => {
    let model: string;
    let expected: number[];

    beforeAll(async () => {
        model = await ensureModel();
        const reranker = await Reranker.load({ model, gpu: false, threads: 1 });
        try {
            expect(reranker.describe().scoreHead.kind).toBe("rank-pooling");
            expected = await reranker.score(passages.map((passage) => [query, passage] as [string, string]));
        } finally {
            await reranker.dispose();
        }
    });

    it("rank --json orders the passages by the library's scores", () => {
        const { status, stdout, stderr } = cli("rank", "--model", model, "--query", query, ...passages.flatMap((passage) => ["--passage", passage]), "--json");
        expect(stderr).not.toMatch(/warning/);
        expect(status).toBe(0);
        const { results } = JSON.parse(stdout) as { results: { index: number; score: number }[] };
        for (const { index, score } of results) expect(score).toBe(expected[index]);
        expect(results.map((r) => r.score)).toEqual([...expected].sort((a, b) => b - a));
    });

    it("score prints the scores in input order", () => {
        expect(cli("score", "--model", model, "--pairs", pairsFile(model)).stdout.trim().split("\n").map(Number)).toEqual(expected);
    });
});

describe("check with bge-reranker-v2-m3 on bert-tiny", () => {
    it("finds a file equal to itself", async () => {
        const model = await ensureBertTinyModel();
        const check = cli("check", "--model", model, "--against", model, "--pairs", pairsFile(model), "--json");
        expect(check.status).toBe(0);
        expect(JSON.parse(check.stdout)).toMatchObject({ comparedPairs: passages.length, maxAbsDiff: 0, kendallTau: 1 });
    });
});
