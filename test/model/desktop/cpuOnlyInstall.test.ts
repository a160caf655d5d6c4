import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { packRepository, runNpm } from "../../helpers/packedApp.js";
import { testModels } from "../../helpers/testModels.js";

// The recipe in docs/install-size.md: an app that ships only the CPU backend. node-llama-cpp's
// prebuilt binaries are optional dependencies (CUDA, Vulkan, other CPUs: about 680 MB on
// linux-x64); `omit=optional` in the app's .npmrc leaves them all out, and the one binary package
// the app runs on is a dependency of its own.

function bytesUnder(folder: string): number {
    let total = 0;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) total += bytesUnder(full);
        else if (entry.isFile()) total += statSync(full).size;
    }
    return total;
}

describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("a CPU-only app (linux-x64)", () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-cpu-only-"));
    const appDir = path.join(workDir, "src", "app");

    beforeAll(() => {
        const tarball = packRepository(workDir);
        mkdirSync(appDir, { recursive: true });
        writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name: "cpu-only-app", version: "1.0.0", private: true, type: "module" }));
        writeFileSync(path.join(appDir, ".npmrc"), "omit=optional\n");
        runNpm(["install", tarball, "@node-llama-cpp/linux-x64@3.21.1", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], appDir);
    }, 300_000);
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));

    it("installs only the CPU binary, in under 100 MB of node_modules", () => {
        expect(readdirSync(path.join(appDir, "node_modules", "@node-llama-cpp"))).toEqual(["linux-x64"]);
        const megabytes = bytesUnder(path.join(appDir, "node_modules")) / 2 ** 20;
        console.log(`CPU-only app: node_modules is ${megabytes.toFixed(1)} MiB`);
        expect(megabytes).toBeLessThan(100);
    });

    it("ranks from the CLI, with gpu auto and cpu, as this checkout does", async () => {
        const args = [
            "llm-rerank",
            "rank",
            "--model",
            testModels.tiny,
            "--query",
            "how do tides work?",
            "--passage",
            "The moon pulls on the oceans.",
            "--passage",
            "Bananas are yellow.",
            "--json"
        ];
        type Ranked = { results: { index: number; score: number }[] };
        const auto = (JSON.parse(execFileSync("npx", args, { cwd: appDir, encoding: "utf8" })) as Ranked).results;
        const cpu = (JSON.parse(execFileSync("npx", [...args, "--gpu", "cpu"], { cwd: appDir, encoding: "utf8" })) as Ranked).results;
        // The app's node_modules has no local llama.cpp build: compare on the same (prebuilt) binaries,
        // whatever build this checkout has made.
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, llamaBuild: "prebuilt" });
        try {
            const expected = await reranker.rerank("how do tides work?", ["The moon pulls on the oceans.", "Bananas are yellow."]);
            expect(auto.map(({ index, score }) => ({ index, score }))).toEqual(expected.map(({ index, score }) => ({ index, score })));
            expect(cpu.map(({ index, score }) => ({ index, score }))).toEqual(expected.map(({ index, score }) => ({ index, score })));
        } finally {
            await reranker.dispose();
        }
    });
});
