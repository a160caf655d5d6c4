import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";

// examples/desktop-search run as a newcomer runs it (npm run example:search -- <folder> <query>), on
// this repository's docs/ with the tiny model and --isolation process. Its scores are compared,
// bit for bit, with a direct Reranker.rerank of the same candidate sections in this process.

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const docs = path.join(root, "docs");
const query = "how do I run the reranker on a GPU with CUDA or Vulkan";
const common = ["docs", query, "--model", testModels.tiny, "--isolation", "process", "--gpu", "cpu", "--threads", "1", "--candidates", "12", "--top", "5"];

type SearchOutput = {
    query: string;
    isolation: string;
    sections: number;
    candidates: { id: number; file: string; heading: string; text: string }[];
    results: { rank: number; score: number; searchRank: number; file: string; heading: string }[];
};

describe("examples/desktop-search", () => {
    let reranker: Reranker;
    let output: SearchOutput;

    beforeAll(async () => {
        const { stdout } = await run(process.execPath, ["examples/desktop-search/search.mjs", ...common, "--json"], { cwd: root });
        output = JSON.parse(stdout);
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1, onWarning: () => undefined });
    });
    afterAll(() => reranker?.dispose());

    it("finds candidate sections of the docs by full-text search and ranks the top 5 of them", () => {
        const docFiles = readdirSync(docs).filter((file) => file.endsWith(".md"));
        expect(output.query).toBe(query);
        expect(output.isolation).toBe("process");
        expect(output.sections).toBeGreaterThan(docFiles.length);
        expect(output.candidates.length).toBeGreaterThanOrEqual(5);
        expect(output.candidates.length).toBeLessThanOrEqual(12);
        for (const candidate of output.candidates) {
            expect(docFiles).toContain(candidate.file);
            expect(readFileSync(path.join(docs, candidate.file), "utf8")).toContain(candidate.text);
        }
        expect(output.results.map(({ rank }) => rank)).toEqual([1, 2, 3, 4, 5]);
        for (const result of output.results)
            expect(result).toMatchObject({ file: output.candidates[result.searchRank - 1]!.file, heading: output.candidates[result.searchRank - 1]!.heading });
    });

    it("scores the candidates exactly as Reranker.rerank does", async () => {
        const direct = await reranker.rerank(
            query,
            output.candidates.map(({ text }) => text),
            { normalize: true, topN: 5 }
        );
        expect(output.results.map(({ searchRank, score }) => ({ index: searchRank - 1, score }))).toEqual(direct.map(({ index, score }) => ({ index, score })));
    });

    it("prints the ranked docs files with their scores through the one npm command", async () => {
        const npm = process.platform === "win32" ? "npm.cmd" : "npm";
        const { stdout, stderr } = await run(npm, ["run", "-s", "example:search", "--", ...common], { cwd: root });
        expect(stderr).not.toMatch(/error/i);
        const lines = stdout.split("\n").filter((line) => /^\s*\d+\. /.test(line));
        expect(lines).toHaveLength(5);
        output.results.forEach((result, i) => {
            expect(lines[i]).toContain(`${result.rank}. ${result.score.toFixed(4)}  ${result.file} › ${result.heading}`);
        });
    });
});
