import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LlamaBuildProbe } from "../bench/llamaBuildProbeMain.js";
import { InvalidArgumentError } from "../errors/errors.js";

const gpuChoices = ["auto", "cuda", "metal", "vulkan", "cpu", "false"];
const cmakeOptionEnvPrefix = "NODE_LLAMA_CPP_CMAKE_OPTION_";

const usage = `llm-rerank build-llama [--gpu auto|cuda|metal|vulkan|cpu] [--skip-download]

Compiles node-llama-cpp's own llama.cpp release on this machine, offline from the source bundle it
ships, into node_modules/node-llama-cpp/llama/localBuilds/. From then on llm-rerank (like every
node-llama-cpp user in this install) loads that build instead of the prebuilt binaries.
Default --gpu cpu. Extra CMake options: NODE_LLAMA_CPP_CMAKE_OPTION_<NAME>=<value>.`;

/**
 * `llm-rerank build-llama`: llama.cpp compiled on and for this machine (its CPU's instruction set,
 * OpenMP threads), which node-llama-cpp then prefers to its prebuilt binaries. node-llama-cpp does
 * the work; we run its own CLI in child processes so a failing compiler never takes this process
 * down, then check in a fresh process which build getLlama picks.
 */
export const buildLlamaCommand = async (args: string[]): Promise<number> => {
    const { values } = parseArgs({ args, options: { gpu: { type: "string" }, "skip-download": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
        console.log(usage);
        return 0;
    }
    const gpu = values.gpu ?? "cpu";
    if (!gpuChoices.includes(gpu)) throw new InvalidArgumentError(`--gpu expects one of ${gpuChoices.join(", ")}, got ${gpu}`);
    const nodeLlamaCppGpu = gpu === "cpu" ? "false" : gpu;

    const entry = createRequire(import.meta.url).resolve("node-llama-cpp");
    const packageRoot = path.resolve(path.dirname(entry), "..");
    const cli = path.join(packageRoot, "dist", "cli", "cli.js");

    const cmakeOptions = Object.keys(process.env).filter((key) => key.startsWith(cmakeOptionEnvPrefix) && key.length > cmakeOptionEnvPrefix.length);
    if (cmakeOptions.length > 0) {
        // node-llama-cpp names the build folder after a hash of these options and looks only for
        // that folder at load time, so a build made with them is invisible to a process without them.
        console.error(`llm-rerank: building with ${cmakeOptions.join(", ")}; set the same variables wherever llm-rerank runs, or the build is not found`);
    }

    if (!values["skip-download"]) {
        // --skipBuild: the download command would otherwise build with its own defaults (gpu auto).
        const downloaded = await runInherited(process.execPath, [cli, "source", "download", "--skipBuild", "--noUsageExample"]);
        if (downloaded !== 0) return reportFailure("node-llama-cpp source download", downloaded);
    }
    const started = Date.now();
    const built = await runInherited(process.execPath, [cli, "source", "build", "--gpu", nodeLlamaCppGpu, "--noUsageExample"]);
    if (built !== 0) return reportFailure("node-llama-cpp source build", built);
    console.error(`llm-rerank: build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const picked = await probeLlama(nodeLlamaCppGpu);
    console.error(`llm-rerank: node-llama-cpp now loads a ${picked.buildType} (gpu ${String(picked.gpu)}) from ${picked.libllamaPath ?? "?"}`);
    console.error(
        `llm-rerank: the build lives in ${path.join(packageRoot, "llama", "localBuilds")}; ` +
            "npm ci, or reinstalling or upgrading node-llama-cpp, deletes it: run build-llama again afterwards"
    );
    if (picked.buildType !== "localBuild") {
        console.error("llm-rerank: the local build was not picked up; see node-llama-cpp's messages above");
        return 1;
    }
    return 0;
};

function runInherited(command: string, commandArgs: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, commandArgs, { stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
}

function reportFailure(step: string, code: number): number {
    console.error(
        `llm-rerank: ${step} failed (exit ${code}). It needs CMake and a C++ compiler; see https://node-llama-cpp.withcat.ai/guide/building-from-source`
    );
    return 1;
}

// In a child: loading a libllama here would pin this process to it, and the check must see the
// build exactly as a fresh llm-rerank process would.
async function probeLlama(gpu: string): Promise<LlamaBuildProbe> {
    const script = fileURLToPath(new URL("../bench/llamaBuildProbeMain.js", import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [script, gpu], { stdio: ["ignore", "pipe", "inherit"] });
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
        child.on("error", reject);
        child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`the getLlama probe exited with ${code}`))));
    });
    return JSON.parse(output) as LlamaBuildProbe;
}
