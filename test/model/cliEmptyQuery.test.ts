import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";

function cli(...args: string[]) {
    const result = spawnSync(process.execPath, ["dist/cli/cli.js", ...args], { encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// FlagEmbedding's compute_score and the library score an empty query; the CLI must too.
describe("the CLI with an empty query", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
    });
    afterAll(() => reranker.dispose());

    it('tokens --query "" prints the ids the library builds for an empty query', async () => {
        const { status, stdout, stderr } = cli(
            "tokens",
            "--model",
            testModels.tiny,
            "--gpu",
            "cpu",
            "--query",
            "",
            "--passage",
            "The moon pulls on the oceans."
        );
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(JSON.parse(stdout)).toEqual(await reranker.buildInput("", "The moon pulls on the oceans."));
    });

    it('rank --query "" ranks with the library\'s scores', async () => {
        const passages = ["The moon pulls on the oceans.", "Bananas are yellow."];
        const { status, stdout } = cli(
            "rank",
            "--model",
            testModels.tiny,
            "--gpu",
            "cpu",
            "--query",
            "",
            ...passages.flatMap((p) => ["--passage", p]),
            "--json"
        );
        expect(status).toBe(0);
        const expected = await reranker.score(passages.map((passage) => ["", passage] as [string, string]));
        const { results } = JSON.parse(stdout) as { results: { index: number; score: number }[] };
        expect(results).toHaveLength(2);
        for (const { index, score } of results) expect(score).toBe(expected[index]);
    });

    it("a missing --query is still a usage error, for rank and tokens", () => {
        for (const command of [
            ["rank", "--passage", "p"],
            ["tokens", "--passage", "p"]
        ]) {
            const { status, stderr } = cli(command[0]!, "--model", testModels.tiny, "--gpu", "cpu", ...command.slice(1));
            expect(status).not.toBe(0);
            expect(stderr).toMatch(/--query is required/);
            expect(stderr).not.toMatch(/\n\s+at /);
        }
    });
});
