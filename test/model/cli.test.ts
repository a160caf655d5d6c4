import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { sampleQuery, samplePassages } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-cli-"));

function cli(...args: string[]) {
    const result = spawnSync(process.execPath, ["dist/cli/cli.js", ...args], { encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the llm-rerank CLI", () => {
    let reranker: Reranker;
    let expected: number[];
    const passages = samplePassages.filter((passage) => passage.length > 0 && !passage.includes("\n"));

    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        expected = await reranker.score(passages.map((passage) => [sampleQuery, passage] as [string, string]));
    });
    afterAll(() => reranker.dispose());

    it("rank --json prints every passage best first with the library's scores", () => {
        const args = passages.flatMap((passage) => ["--passage", passage]);
        const { status, stdout } = cli("rank", "--model", testModels.tiny, "--gpu", "cpu", "--query", sampleQuery, ...args, "--json");
        expect(status).toBe(0);
        const { results } = JSON.parse(stdout) as { results: { index: number; score: number }[] };
        expect(results.map((r) => r.index).sort()).toEqual(passages.map((_, i) => i));
        for (const { index, score } of results) expect(score).toBe(expected[index]);
        expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    });

    it("rank reads .txt and .jsonl passage files, and --top cuts the list", () => {
        const txt = path.join(workDir, "passages.txt");
        const jsonl = path.join(workDir, "passages.jsonl");
        writeFileSync(txt, passages.join("\n") + "\n");
        writeFileSync(jsonl, passages.map((passage, i) => JSON.stringify(i % 2 ? { text: passage } : { passage })).join("\n"));
        const fromTxt = JSON.parse(
            cli("rank", "--model", testModels.tiny, "--gpu", "cpu", "--query", sampleQuery, "--passages", txt, "--json", "--top", "2").stdout
        );
        const fromJsonl = JSON.parse(
            cli("rank", "--model", testModels.tiny, "--gpu", "cpu", "--query", sampleQuery, "--passages", jsonl, "--json", "--top", "2").stdout
        );
        expect(fromTxt.results).toHaveLength(2);
        expect(fromJsonl).toEqual(fromTxt);
    });

    it("score prints one score a line in input order, and sigmoids with --normalize", () => {
        const pairsFile = path.join(workDir, "pairs.jsonl");
        writeFileSync(pairsFile, passages.map((passage) => JSON.stringify({ query: sampleQuery, passage })).join("\n"));
        const plain = cli("score", "--model", testModels.tiny, "--gpu", "cpu", "--pairs", pairsFile);
        expect(plain.stdout.trim().split("\n").map(Number)).toEqual(expected);
        const normalized = JSON.parse(cli("score", "--model", testModels.tiny, "--gpu", "cpu", "--pairs", pairsFile, "--normalize", "--json").stdout);
        normalized.scores.forEach((score: number, i: number) => expect(score).toBeCloseTo(1 / (1 + Math.exp(-expected[i]!)), 12));
    });

    it("tokens prints the scored token ids", async () => {
        const { stdout } = cli("tokens", "--model", testModels.tiny, "--gpu", "cpu", "--query", sampleQuery, "--passage", passages[0]!);
        expect(JSON.parse(stdout)).toEqual(await reranker.buildInput(sampleQuery, passages[0]!));
    });

    it("fails with a message and a non-zero status, never a stack trace, on bad input", () => {
        const missing = cli("rank", "--model", path.join(workDir, "missing.gguf"), "--query", "q", "--passage", "p");
        expect(missing.status).toBe(1);
        expect(missing.stderr).toMatch(/model file not found: .*missing\.gguf \[ERR_MODEL_NOT_FOUND\]/);
        expect(missing.stderr).not.toMatch(/\n\s+at /);
        const noPassages = cli("rank", "--model", testModels.tiny, "--query", "q");
        expect(noPassages.stderr).toMatch(/give passages with --passage/);
        const unknown = cli("frobnicate");
        expect(unknown.status).toBe(2);
        expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    });
});
