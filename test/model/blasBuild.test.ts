import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../src/index.js";
import { blasVendorOfCmakeOptions, blasVendors } from "../../src/native/BlasVendor.js";
import { cmakeOptionEnvironmentPrefix } from "../../src/native/llamaSelectionOptions.js";
import { localBuildsDirectory, readLocalBuildRecord } from "../../src/native/LocalBuildRecord.js";
import { loadGoldenPairs } from "../helpers/goldenPairs.js";
import { referenceTolerance } from "../helpers/referenceTolerance.js";
import { testModels } from "../helpers/testModels.js";
import { GemmaReference } from "../reference/GemmaReference.js";

// Needs `llm-rerank build-llama --blas ...` (minutes of compiling, and a BLAS installed): CI does
// neither, so without such a build these tests are skipped and say why.
function findBlasBuild(): { vendor: keyof typeof blasVendors } | { skipReason: string } {
    const { record, problem } = readLocalBuildRecord();
    if (!record) return { skipReason: problem ?? "no local build was made with llm-rerank build-llama --blas" };
    const vendor = blasVendorOfCmakeOptions(record.cmakeOptions);
    if (!vendor) return { skipReason: "the recorded local build has no BLAS backend" };
    if (record.gpu !== false) return { skipReason: `the recorded BLAS build is for gpu ${record.gpu}, these tests run on the CPU` };
    if (!existsSync(localBuildsDirectory()) || !readdirSync(localBuildsDirectory(), { withFileTypes: true }).some((entry) => entry.isDirectory()))
        return { skipReason: "the recorded build's folder is gone" };
    return { vendor };
}

const found = findBlasBuild();
if ("skipReason" in found) console.info(`skipping the BLAS build tests: ${found.skipReason}`);
const vendorName = "vendor" in found ? blasVendors[found.vendor].name : "";

describe.skipIf("skipReason" in found)("the local BLAS build", () => {
    it("is found by a fresh process with no NODE_LLAMA_CPP_CMAKE_OPTION_* variable, and named by describe()", () => {
        const environment = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith(cmakeOptionEnvironmentPrefix)));
        const output = execFileSync(process.execPath, [path.resolve("dist/cli/cli.js"), "describe", "--model", testModels.tiny, "--gpu", "cpu"], {
            encoding: "utf8",
            env: environment,
            stdio: ["ignore", "pipe", "pipe"]
        });
        const backend = JSON.parse(output).backend;
        expect(backend.build).toBe("localBuild");
        expect(backend.blas.vendor).toBe(vendorName);
        expect(backend.blas.libraryPath).toMatch(blasVendors["vendor" in found ? found.vendor : "openblas"].library);
    });

    it('gives a BF16 file the prebuilt binaries under llamaBuild "auto" (a fresh process), an F32 file the BLAS build', () => {
        const describeIn = (model: string) =>
            JSON.parse(
                execFileSync(process.execPath, [path.resolve("dist/cli/cli.js"), "describe", "--model", model, "--gpu", "cpu"], {
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"]
                })
            ).backend;
        const bf16 = describeIn(testModels.tinyBf16);
        expect(bf16.build).toBe("prebuilt");
        expect(bf16.blas).toBeNull();
        expect(describeIn(testModels.tiny).build).toBe("localBuild");
    });

    it("keeps this process's build for a later BF16 load, warning SLOWER_LLAMA_BUILD; an isolated load gets the prebuilt binaries", async () => {
        const first = await Reranker.load({ model: testModels.tiny, gpu: false });
        const codes: string[] = [];
        const later = await Reranker.load({ model: testModels.tinyBf16, gpu: false, onWarning: (warning) => codes.push(warning.code) });
        const isolated = await Reranker.load({
            model: testModels.tinyBf16,
            gpu: false,
            isolation: "process",
            onWarning: (warning) => codes.push(`isolated ${warning.code}`)
        });
        try {
            expect(first.describe().backend.build).toBe("localBuild");
            expect(later.describe().backend.build).toBe("localBuild");
            expect(codes).toContain("SLOWER_LLAMA_BUILD");
            expect(codes).not.toContain("isolated SLOWER_LLAMA_BUILD");
            expect(isolated.describe().backend.build).toBe("prebuilt");
        } finally {
            await Promise.all([first.dispose(), later.dispose(), isolated.dispose()]);
        }
    });

    describe("scores the golden pairs as the float64 reference does", () => {
        const pairs = loadGoldenPairs();
        let reranker: Reranker;
        beforeAll(async () => {
            reranker = await Reranker.load({ model: testModels.tiny, gpu: false, llamaBuild: "local" });
        });
        afterAll(() => reranker?.dispose());

        it("within the F32 tolerance, on the tiny model", async () => {
            expect(reranker.describe().backend.blas?.vendor).toBe(vendorName);
            const scores = await reranker.score(pairs);
            const reference = GemmaReference.open(testModels.tiny);
            const yesId = reranker.describe().scoreTokens[0]!.id;
            const errors: number[] = [];
            for (let i = 0; i < pairs.length; i++) {
                const expected = reference.lastLogits(await reranker.buildInput(pairs[i]![0], pairs[i]![1]), [yesId])[0]!;
                errors.push(Math.abs(scores[i]! - expected));
            }
            console.info(`${vendorName} build, tiny F32 vs float64 reference: max ${Math.max(...errors).toExponential(2)}`);
            expect(Math.max(...errors)).toBeLessThanOrEqual(referenceTolerance);
        });
    });

    it("runs beside the prebuilt build in bench --compare-builds, with BF16 rows, and agrees with it", () => {
        const jsonPath = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-blas-")), "bench.json");
        const args = [
            "bench",
            "--model",
            testModels.tiny,
            "--bf16-model",
            testModels.tinyBf16,
            "--gpu",
            "cpu",
            "--quick",
            "--compare-builds",
            "--json",
            jsonPath
        ];
        execFileSync(process.execPath, [path.resolve("dist/cli/cli.js"), ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
        const report = JSON.parse(readFileSync(jsonPath, "utf8"));
        expect(report.contenders.map((contender: { label: string }) => contender.label)).toEqual([
            "(c) prebuilt build, F32",
            `(c) local build + ${vendorName}, F32`,
            "(c) prebuilt build, BF16",
            `(c) local build + ${vendorName}, BF16`
        ]);
        expect(report.checks.map((check: { name: string }) => check.name)).toEqual([`local (${vendorName}) and prebuilt builds agree within 0.001`]);
        for (const check of report.checks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
        expect(report.ratios.map((ratio: { name: string }) => ratio.name)).toContain("BF16 ÷ F32 weights, local build (tokens/s of (c))");
    });
});
