import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { createPackageWithOptions, extractAll, getRawHeader } from "@electron/asar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { installTarball, packRepository, readmeApiScript, runNpm, runReadmeApi, type ReadmeApiResult } from "../../helpers/packedApp.js";
import { testModels } from "../../helpers/testModels.js";

const prebuildDir = `prebuilds/${process.platform}-${process.arch}`;

// Lines only a compile writes: node-gyp's own log and make's.
const compilerOutput = /gyp info (spawn|ok)|CXX\(target\)|SOLINK_MODULE/;

// What only the OS loader opens: Electron serves reads of other files from inside the archive, but
// a library it dlopens must be a real file, in app.asar.unpacked.
const nativeFile = /\.(node|so(\.\d+)*|dylib|dll)$/;

type AsarEntry = { files?: Record<string, AsarEntry>; unpacked?: boolean };

function archivedFiles(entry: AsarEntry, prefix = ""): { file: string; unpacked: boolean }[] {
    return Object.entries(entry.files ?? {}).flatMap(([name, child]) => {
        const file = path.join(prefix, name);
        return child.files ? archivedFiles(child, file) : [{ file, unpacked: child.unpacked === true }];
    });
}

describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("the packed package in an app (linux-x64)", () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-packed-"));
    // Under a src/ folder with a dist/ beside it, as many users keep their projects (~/src/my-app):
    // an entry point found by rewriting "/src/" to "/dist/" would point into the empty dist/.
    const appDir = path.join(workDir, "src", "app");
    let installLog: string;
    let expected: { ranked: ReadmeApiResult["ranked"]; scores: number[] };

    beforeAll(async () => {
        const tarball = packRepository(workDir);
        mkdirSync(appDir, { recursive: true });
        mkdirSync(path.join(workDir, "dist", "app"), { recursive: true });
        installLog = installTarball(appDir, tarball);
        writeFileSync(path.join(appDir, "app.mjs"), readmeApiScript);
        // The same five lines through this checkout's sources: the installed package must agree.
        // The app's node_modules has no local llama.cpp build: compare on the same (prebuilt) binaries,
        // whatever build this checkout has made.
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false, llamaBuild: "prebuilt" });
        try {
            const ranked = await reranker.rerank("how do tides work?", ["The moon pulls on the oceans.", "Bananas are yellow."], { topN: 5 });
            expected = { ranked, scores: await reranker.score([["query", "passage"]], { normalize: true }) };
        } finally {
            await reranker.dispose();
        }
    }, 300_000);
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));

    it("ships the prebuilt addon in the tarball and compiles nothing at install", () => {
        const installed = path.join(appDir, "node_modules", "llm-rerank");
        // The name @electron/rebuild recognises as a Node-API prebuild (so it does not recompile).
        expect(readdirSync(path.join(installed, prebuildDir))).toEqual(["node.napi.node"]);
        expect(installLog).toMatch(/llm-rerank@[\d.]+ install[\s\S]*node-gyp-build/);
        expect(installLog).not.toMatch(compilerOutput);
        expect(existsSync(path.join(installed, "build"))).toBe(false);
    });

    it("runs the README's API on the prebuilt binary and scores as this checkout does", () => {
        const result = runReadmeApi(path.join(appDir, "app.mjs"), testModels.tiny);
        expect(result.error).toBeUndefined();
        expect(result.addon).toEqual({ path: expect.stringContaining(path.join("node_modules", "llm-rerank", prebuildDir)), origin: "prebuilt" });
        expect({ ranked: result.ranked, scores: result.scores }).toEqual(expected);
    });

    it('runs isolation: "process" from the installed package, forked by the library and by the app\'s own isolationProcess', () => {
        writeFileSync(path.join(appDir, "isolated.mjs"), isolatedScript);
        const output = execFileSync(process.execPath, [path.join(appDir, "isolated.mjs"), testModels.tiny], { encoding: "utf8" });
        const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
            error?: unknown;
            entryPoint: string;
            started: string;
            library: number[];
            custom: number[];
            placement: unknown;
        };
        expect(result.error).toBeUndefined();
        const entryPoint = path.join(appDir, "node_modules", "llm-rerank", "dist", "isolation", "childMain.js");
        expect(result.entryPoint).toBe(entryPoint);
        expect(result.started).toBe(entryPoint);
        expect(result.library).toEqual(expected.scores);
        expect(result.custom).toEqual(expected.scores);
        expect(result.placement).toMatchObject({ layersOffloaded: 0, devices: [] });
    });

    describe("inside an Electron asar archive, simulated with Node", () => {
        const resources = path.join(workDir, "resources");
        const preload = path.join(workDir, "pretend-electron.mjs");

        let nativeFiles: { file: string; unpacked: boolean }[];

        beforeAll(async () => {
            // Only the CPU binaries: the CUDA and Vulkan packages are 600 MB that gpu: false never opens.
            const variants = path.join(appDir, "node_modules", "@node-llama-cpp");
            for (const variant of readdirSync(variants))
                if (variant !== `${process.platform}-${process.arch}`) rmSync(path.join(variants, variant), { recursive: true });
            // The recipe's globs, required from the installed package as the README's recipes do.
            // Forge (packagerConfig.asar.unpack) and @electron/asar take one glob: a brace set.
            const { asarUnpack } = createRequire(path.join(appDir, "package.json"))("llm-rerank/electron/asarUnpack.json") as { asarUnpack: string[] };
            const forgeUnpackGlob = `{${asarUnpack.join(",")}}`;
            const archive = path.join(workDir, "packed", "app.asar");
            await createPackageWithOptions(appDir, archive, { unpack: forgeUnpackGlob });
            // What Electron shows the app: app.asar, here a real folder holding the archive's
            // contents, and app.asar.unpacked beside it. Electron's fs still lists an unpacked
            // file inside app.asar (node-llama-cpp checks it exists there), but the OS loader
            // cannot open it from there: each native file inside becomes an empty placeholder
            // that dlopen refuses, so only the copies in app.asar.unpacked can load.
            extractAll(archive, path.join(resources, "app.asar"));
            nativeFiles = archivedFiles(getRawHeader(archive).header as AsarEntry).filter(({ file }) => nativeFile.test(file));
            for (const { file } of nativeFiles) writeFileSync(path.join(resources, "app.asar", file), "");
            cpSync(`${archive}.unpacked`, path.join(resources, "app.asar.unpacked"), { recursive: true });
            writeFileSync(preload, `Object.defineProperty(process.versions, "electron", { value: "38.0.0", enumerable: true });\n`);
        }, 120_000);

        it("unpacks every native file of the app: the addon and node-llama-cpp's binaries", () => {
            expect(nativeFiles.filter(({ unpacked }) => !unpacked)).toEqual([]);
            const files = nativeFiles.map(({ file }) => file);
            expect(files.filter((file) => file.startsWith(path.join("node_modules", "llm-rerank", prebuildDir)))).toHaveLength(1);
            expect(files.some((file) => /@node-llama-cpp[\\/].*libllama\./.test(file))).toBe(true);
            const unpackedRoot = path.join(resources, "app.asar.unpacked", "node_modules");
            expect(existsSync(path.join(unpackedRoot, "llm-rerank", "dist"))).toBe(false);
        });

        it("loads the addon and libllama from app.asar.unpacked and scores", () => {
            const result = runReadmeApi(path.join(resources, "app.asar", "app.mjs"), testModels.tiny, ["--import", preload]);
            expect(result.error).toBeUndefined();
            expect(result.addon?.path).toContain(path.join("app.asar.unpacked", "node_modules", "llm-rerank", prebuildDir));
            expect(result.libllamaPath).toContain(path.join("app.asar.unpacked", "node_modules", "@node-llama-cpp"));
            expect({ ranked: result.ranked, scores: result.scores }).toEqual(expected);
        });

        it("names the path it tried when the addon was left inside the archive", () => {
            const unpackedAddon = path.join(resources, "app.asar.unpacked", "node_modules", "llm-rerank", "prebuilds");
            rmSync(unpackedAddon, { recursive: true });
            const result = runReadmeApi(path.join(resources, "app.asar", "app.mjs"), testModels.tiny, ["--import", preload]);
            expect(result.error).toMatchObject({ name: "NativeAddonError", code: "ERR_NATIVE_ADDON" });
            expect(result.error!.message).toContain(path.join(unpackedAddon, `${process.platform}-${process.arch}`));
            expect(result.error!.message).toMatch(/asarUnpack/);
        });
    });

    it("compiles the addon when no prebuilt binary matches, and scores the same", () => {
        rmSync(path.join(appDir, "node_modules", "llm-rerank", "prebuilds"), { recursive: true });
        const rebuildLog = runNpm(["rebuild", "llm-rerank", "--foreground-scripts"], appDir);
        expect(rebuildLog).toMatch(compilerOutput);
        const result = runReadmeApi(path.join(appDir, "app.mjs"), testModels.tiny);
        expect(result.addon).toEqual({ path: path.join(appDir, "node_modules", "llm-rerank", "build", "Release", "llm_rerank.node"), origin: "compiled" });
        expect({ ranked: result.ranked, scores: result.scores }).toEqual(expected);
    });
});

/** isolation: "process" twice from an installed app: the library's own fork, then the app's isolationProcess. */
const isolatedScript = `import { fork } from "node:child_process";
import { Reranker, isolationEntryPoint } from "llm-rerank";
const model = process.argv[2];
const pair = [["query", "passage"]];
try {
    const library = await Reranker.load({ model, gpu: false, isolation: "process" });
    const libraryScores = await library.score(pair, { normalize: true });
    const placement = library.describe().placement;
    await library.dispose();
    let started;
    const isolationProcess = (entryPoint) => {
        started = entryPoint;
        const child = fork(entryPoint, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
        return { pid: child.pid, postMessage: (message) => child.send(message), on: (event, listener) => child.on(event, listener), kill: () => child.kill("SIGKILL") };
    };
    const custom = await Reranker.load({ model, gpu: false, isolation: "process", isolationProcess });
    const customScores = await custom.score(pair, { normalize: true });
    await custom.dispose();
    console.log(JSON.stringify({ entryPoint: isolationEntryPoint, started, library: libraryScores, custom: customScores, placement }));
} catch (error) {
    console.log(JSON.stringify({ error: { name: error.name, code: error.code, message: error.message } }));
}
`;
