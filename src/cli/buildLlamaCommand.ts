import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LlamaBuildProbe } from "../bench/llamaBuildProbeMain.js";
import { InvalidArgumentError } from "../errors/errors.js";
import { blasCmakeOptions, blasVendorNames, type BlasVendor } from "../native/BlasVendor.js";
import { cmakeOptionEnvironmentPrefix, environmentCmakeOptions } from "../native/llamaSelectionOptions.js";
import { localBuildsDirectory, nodeLlamaCppVersion, writeLocalBuildRecord } from "../native/LocalBuildRecord.js";

const gpuChoices = ["auto", "cuda", "metal", "vulkan", "cpu", "false"];

const usage = `llm-rerank build-llama [--gpu auto|cuda|metal|vulkan|cpu] [--blas openblas|blis|accelerate] [--skip-download]

Compiles node-llama-cpp's own llama.cpp release on this machine, offline from the source bundle it
ships, into node_modules/node-llama-cpp/llama/localBuilds/, and records its options there
(llm-rerank-build.json), so that llm-rerank loads that build from then on, in any shell, instead of
the prebuilt binaries. The last build made with build-llama is the one used.
Default --gpu cpu. --blas: ggml's BLAS backend does the large matrix products, with OpenBLAS
(Linux: apt-get install libopenblas-dev), BLIS (apt-get install libblis-dev) or Apple's Accelerate
(macOS). Extra CMake options: NODE_LLAMA_CPP_CMAKE_OPTION_<NAME>=<value>; they are recorded too.`;

/**
 * `llm-rerank build-llama`: llama.cpp compiled on and for this machine (its CPU's instruction set,
 * OpenMP threads), which node-llama-cpp then prefers to its prebuilt binaries. node-llama-cpp does
 * the work; we run its own CLI in child processes so a failing compiler never takes this process
 * down, then check in a fresh process which build getLlama picks.
 */
export const buildLlamaCommand = async (args: string[]): Promise<number> => {
    const { values } = parseArgs({
        args,
        options: { gpu: { type: "string" }, blas: { type: "string" }, "skip-download": { type: "boolean" }, help: { type: "boolean", short: "h" } }
    });
    if (values.help) {
        console.log(usage);
        return 0;
    }
    const gpu = values.gpu ?? "cpu";
    if (!gpuChoices.includes(gpu)) throw new InvalidArgumentError(`--gpu expects one of ${gpuChoices.join(", ")}, got ${gpu}`);
    const nodeLlamaCppGpu = gpu === "cpu" ? "false" : gpu;
    const blas = parseBlas(values.blas);

    const entry = createRequire(import.meta.url).resolve("node-llama-cpp");
    const packageRoot = path.resolve(path.dirname(entry), "..");
    const cli = path.join(packageRoot, "dist", "cli", "cli.js");

    // node-llama-cpp names the build folder after a hash of these options and looks only for that
    // folder at load time: they are passed to the build as its variables and recorded for loading.
    const cmakeOptions = { ...environmentCmakeOptions(process.env), ...(blas ? blasCmakeOptions(blas) : {}) };
    const buildEnvironment = withCmakeOptions(process.env, cmakeOptions);
    if (Object.keys(cmakeOptions).length > 0) {
        const listed = Object.entries(cmakeOptions).map(([name, value]) => `${name}=${value}`);
        console.error(`llm-rerank: building with ${listed.join(" ")}`);
    }

    if (!values["skip-download"]) {
        // --skipBuild: the download command would otherwise build with its own defaults (gpu auto).
        const downloaded = await runInherited(process.execPath, [cli, "source", "download", "--skipBuild", "--noUsageExample"]);
        if (downloaded !== 0) return reportFailure("node-llama-cpp source download", downloaded);
    }
    const started = Date.now();
    const built = await runInherited(process.execPath, [cli, "source", "build", "--gpu", nodeLlamaCppGpu, "--noUsageExample"], buildEnvironment);
    if (built !== 0) return reportFailure("node-llama-cpp source build", built);
    console.error(`llm-rerank: build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const recordFile = writeLocalBuildRecord({
        format: 1,
        cmakeOptions,
        gpu: nodeLlamaCppGpu === "false" ? false : (nodeLlamaCppGpu as "cuda" | "metal" | "vulkan"),
        nodeLlamaCppVersion: nodeLlamaCppVersion(),
        builtAt: new Date().toISOString()
    });
    // Probed without any NODE_LLAMA_CPP_CMAKE_OPTION_* variable, as a fresh shell would run it: the
    // record alone must find the build.
    const picked = await probeLlama(nodeLlamaCppGpu, withCmakeOptions(process.env, {}));
    const blasNote = picked.blas ? `, BLAS ${picked.blas.vendor} (${picked.blas.libraryPath ?? "library not found among the loaded ones"})` : "";
    console.error(`llm-rerank: node-llama-cpp now loads a ${picked.buildType} (gpu ${String(picked.gpu)}${blasNote}) from ${picked.libllamaPath ?? "?"}`);
    console.error(
        `llm-rerank: the build and its record ${recordFile} live in ${localBuildsDirectory()}; ` +
            "npm ci, or reinstalling or upgrading node-llama-cpp, deletes them: run build-llama again afterwards"
    );
    if (picked.buildType !== "localBuild") {
        console.error("llm-rerank: the local build was not picked up; see node-llama-cpp's messages above");
        return 1;
    }
    if (blas && !picked.blas) {
        console.error(`llm-rerank: the build loaded, but without the ${blas} BLAS backend`);
        return 1;
    }
    return 0;
};

function parseBlas(value: string | undefined): BlasVendor | undefined {
    if (value === undefined) return undefined;
    if (!(blasVendorNames as string[]).includes(value)) throw new InvalidArgumentError(`--blas expects one of ${blasVendorNames.join(", ")}, got ${value}`);
    if (value === "accelerate" && process.platform !== "darwin") throw new InvalidArgumentError("--blas accelerate needs macOS: Accelerate is Apple's");
    return value as BlasVendor;
}

/** The environment with exactly these NODE_LLAMA_CPP_CMAKE_OPTION_* variables. */
function withCmakeOptions(environment: NodeJS.ProcessEnv, options: Record<string, string>): NodeJS.ProcessEnv {
    const result: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(environment)) if (!key.startsWith(cmakeOptionEnvironmentPrefix)) result[key] = value;
    for (const [name, value] of Object.entries(options)) result[`${cmakeOptionEnvironmentPrefix}${name}`] = value;
    return result;
}

function runInherited(command: string, commandArgs: string[], environment: NodeJS.ProcessEnv = process.env): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, commandArgs, { stdio: "inherit", env: environment });
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
async function probeLlama(gpu: string, environment: NodeJS.ProcessEnv): Promise<LlamaBuildProbe> {
    const script = fileURLToPath(new URL("../bench/llamaBuildProbeMain.js", import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [script, gpu], { stdio: ["ignore", "pipe", "inherit"], env: environment });
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
        child.on("error", reject);
        child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`the getLlama probe exited with ${code}`))));
    });
    return JSON.parse(output) as LlamaBuildProbe;
}
