import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testModels } from "../helpers/testModels.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-bench-"));

// A smoke test of `llm-rerank bench` on the mid model: the report's structure and its exact checks
// (token counts, score agreement). Its speed figures are never asserted: machines here are shared.
describe("llm-rerank bench", () => {
    it("runs the four configurations side by side and passes its own checks", () => {
        const jsonPath = path.join(workDir, "bench.json");
        const svgPath = path.join(workDir, "bench.svg");
        execFileSync(
            process.execPath,
            ["dist/cli/cli.js", "bench", "--model", testModels.mid, "--gpu", "cpu", "--quick", "--no-build-compare", "--json", jsonPath, "--svg", svgPath],
            {
                stdio: ["ignore", "pipe", "pipe"],
                timeout: 300_000
            }
        );
        const report = JSON.parse(readFileSync(jsonPath, "utf8"));
        expect(report.contenders.map((contender: { label: string }) => contender.label.slice(0, 5))).toEqual(["(a) n", "(b) b", "(c) f", "(raw)"]);
        expect(report.checks.length).toBeGreaterThanOrEqual(4);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
        expect(readFileSync(svgPath, "utf8")).toMatch(/^<svg[\s\S]*pairs\/s[\s\S]*<\/svg>\s*$/);
    });

    it("takes BF16 rows only with --compare-builds, before loading anything", () => {
        const failed = (() => {
            try {
                execFileSync(process.execPath, ["dist/cli/cli.js", "bench", "--model", testModels.tiny, "--bf16-model", testModels.tinyBf16], {
                    stdio: "pipe"
                });
                return "";
            } catch (error) {
                return String((error as { stderr: Buffer }).stderr);
            }
        })();
        expect(failed).toMatch(/--bf16 and --bf16-model go with --compare-builds/);
    });
});
