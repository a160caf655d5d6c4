import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GpuUnavailableError, InsufficientMemoryError } from "../../errors/errors.js";
import type { GpuApi } from "../../native/arithmeticPrecision.js";
import { nvidiaTf32Override } from "../../native/arithmeticPrecision.js";
import { InProcessHost } from "../../native/InProcessHost.js";
import { loadAddon } from "../../native/loadAddon.js";
import { Reranker } from "../../Reranker.js";
import { ensureBenchModel, planBenchModel, type BenchModelPreset, type BenchModelSpec } from "../../testModel/benchModel.js";
import type { TokenRange } from "../BenchWorkload.js";
import { BenchWorkload } from "../BenchWorkload.js";
import { cpuAgreementTolerance } from "../errorBudget.js";
import { loadInstrumentedReranker } from "../loadInstrumentedReranker.js";
import { runSweep } from "../runSweep.js";
import { errorBudgetKeyOf } from "../scoreAgreement.js";
import { preferPrebuiltEnvironmentVariable } from "../workerProtocol.js";
import { diagnoseCudaBinaries } from "./diagnoseCudaBinaries.js";
import type { GpuRunCheck, GpuRunModel, GpuRunPhase, GpuRunReport } from "./GpuRunReport.js";

export type GpuRunOptions = {
    gpu: GpuApi;
    /** The cache folder generated models go to (and are reused from). */
    modelDir: string;
    /** The model the sweep sizes the GPU with: a generated preset, or a file. */
    sweepModel: { preset: BenchModelPreset } | { path: string };
    /** The shallow model the GPU's scores are checked against the CPU's on: a preset whose error budget was measured. */
    agreementPreset: "tiny" | "mid";
    agreementPairs: number;
    sweep: { slots: number[]; batchSizes: number[]; queries: number; passagesPerQuery: number; passageTokens: TokenRange };
    seed: number;
    threads?: number;
    /** Progress lines (stderr in the CLI). */
    log: (line: string) => void;
    /** Whether the log is a terminal, where the generation's progress line is redrawn in place. */
    interactive: boolean;
};

const queryTokens: TokenRange = { min: 26, max: 34 };
const agreementPassageTokens: TokenRange = { min: 30, max: 60 };

/**
 * `llm-rerank bench --gpu-run`: everything a GPU machine that is lent for a few minutes should
 * run, in one process and in this order, so that a missing GPU costs seconds and not a 10 GB write:
 *
 * 1. device: node-llama-cpp loads its prebuilt build for the GPU API, or the run stops with a
 *    GpuUnavailableError (for CUDA, saying which libraries the dynamic linker lacks); the sweep
 *    model must fit in the device's free memory (InsufficientMemoryError, before anything is written);
 * 2. generate: the agreement and sweep models, into the cache folder, once;
 * 3. agreement: the same pairs scored on the GPU (in this process) and on the CPU (a child process
 *    on node-llama-cpp's CPU build), on a shallow model whose error budgets were measured, judged
 *    by T_gpu + T_cpu (src/bench/errorBudget.ts, cpuAgreementTolerance);
 * 4. sweep: runSweep on the sweep model over the slots × batch-size grid.
 *
 * The agreement does not stop the sweep when it fails: both results are worth the GPU's minutes,
 * and the checks say what failed.
 */
export async function runGpuRun(options: GpuRunOptions): Promise<GpuRunReport> {
    const started = Date.now();
    const phases: GpuRunPhase[] = [];
    const checks: GpuRunCheck[] = [];
    const timed = async <T>(name: GpuRunPhase["name"], work: () => Promise<{ value: T; detail: string }>): Promise<T> => {
        const phaseStart = performance.now();
        options.log(`gpu-run: ${name}…`);
        const { value, detail } = await work();
        const seconds = (performance.now() - phaseStart) / 1000;
        phases.push({ name, seconds, detail });
        options.log(`gpu-run: ${name} done in ${seconds.toFixed(1)} s: ${detail}`);
        return value;
    };

    // node-llama-cpp's prebuilt binaries, never a local build (llm-rerank build-llama): the run
    // measures what an install gets. The CPU child of the agreement inherits it.
    process.env[preferPrebuiltEnvironmentVariable] ??= "1";
    const agreementSpec: BenchModelSpec = { preset: options.agreementPreset, seed: 42, weightType: "f32" };
    const sweepSpec: BenchModelSpec | undefined =
        "preset" in options.sweepModel ? { preset: options.sweepModel.preset, seed: 42, weightType: "f32" } : undefined;

    const host = await timed("device", async () => {
        const host = await openGpuHost(options.gpu);
        const devices = await host.readDevices();
        const mine = devices.filter((device) => host.description.devices.some((entry) => entry.name === device.name));
        const freeBytes = mine.reduce((sum, device) => sum + device.freeBytes, 0);
        if (sweepSpec) {
            const planned = planBenchModel(options.modelDir, sweepSpec);
            if (planned.bytes > freeBytes) {
                const fitting = (["bench", "mid", "tiny"] as const).find(
                    (preset) => planBenchModel(options.modelDir, { ...sweepSpec, preset }).bytes <= freeBytes
                );
                throw new InsufficientMemoryError(
                    `the ${sweepSpec.preset} model (${gigabytes(planned.bytes)}) does not fit in the free memory of ${mine.map((device) => `${device.name} ${device.description}`).join(", ")} ` +
                        `(${gigabytes(freeBytes)} free): its load would be refused, so nothing was generated.` +
                        (fitting === undefined ? "" : ` The largest preset that fits: --preset ${fitting}`),
                    planned.bytes,
                    freeBytes
                );
            }
        }
        checks.push(...binaryChecks(options.gpu, host));
        return { value: host, detail: `${mine.map((device) => `${device.name} ${device.description}`).join(", ")}; ${gigabytes(freeBytes)} free` };
    });

    const models = await timed("generate", async () => {
        const agreement = await generated(options, agreementSpec);
        const sweep: GpuRunModel = sweepSpec ? await generated(options, sweepSpec) : fileModel(options.sweepModel as { path: string });
        const seconds = [agreement, sweep].map((model) => model.generatedSeconds).filter((value): value is number => value !== null);
        return {
            value: { agreement, sweep },
            detail:
                seconds.length === 0
                    ? "both models were already in the cache folder"
                    : `${gigabytes([agreement, sweep].filter((model) => model.generatedSeconds !== null).reduce((sum, model) => sum + model.bytes, 0))} written`
        };
    });

    const agreement = await timed("agreement", async () => {
        const value = await checkAgreement(options, models.agreement.path);
        return {
            value,
            detail: `${value.report.pairs} pairs, max |GPU − CPU| ${value.report.maxDifference.toExponential(2)}${value.report.tolerance === null ? " (not judged)" : ` (tolerance ${value.report.tolerance.toExponential(2)})`}`
        };
    });
    checks.push(...agreement.checks);

    const sweep = await timed("sweep", async () => {
        const report = await runSweep({
            model: models.sweep.path,
            gpu: options.gpu,
            slots: options.sweep.slots,
            batchSizes: options.sweep.batchSizes,
            queries: options.sweep.queries,
            passagesPerQuery: options.sweep.passagesPerQuery,
            queryTokens,
            passageTokens: options.sweep.passageTokens,
            rounds: 1,
            seed: options.seed,
            threads: options.threads
        });
        const { best } = report;
        return {
            value: report,
            detail: `${report.points.length} point${report.points.length === 1 ? "" : "s"}, best slots ${best.slots} × batch ${best.batchSize}: ${best.pairsPerSecond.toFixed(2)} pairs/s`
        };
    });
    checks.push({
        name: `every sweep point ran on ${options.gpu} and holds device memory`,
        passed: sweep.backend.gpu === options.gpu && sweep.points.every((point) => (point.deviceBytes ?? 0) > 0),
        detail: `backend ${sweep.backend.gpu === false ? "cpu" : sweep.backend.gpu}; device MiB per point ${sweep.points.map((point) => ((point.deviceBytes ?? 0) / 2 ** 20).toFixed(0)).join(", ")}`
    });
    checks.push(...sweep.checks.map((check) => ({ ...check, name: `sweep: ${check.name}` })));

    const description = host.description;
    const devicesNow = await host.readDevices();
    return {
        startedAt: new Date(started).toISOString(),
        wallSeconds: (Date.now() - started) / 1000,
        gpu: options.gpu,
        machine: {
            cpu: os.cpus()[0]?.model ?? "unknown",
            cores: os.cpus().length,
            memoryBytes: os.totalmem(),
            platform: `${process.platform}-${process.arch}`,
            node: process.version
        },
        phases,
        binary: {
            gpuApi: description.binary,
            build: description.build,
            libllamaPath: description.libllamaPath,
            addonPath: description.addon.path,
            addonOrigin: description.addon.origin,
            systemInfo: description.systemInfo,
            devices: devicesNow
                .filter((device) => description.devices.some((entry) => entry.name === device.name))
                .map(({ name, description: text, totalBytes, freeBytes }) => ({ name, description: text, totalBytes, freeBytes }))
        },
        models,
        agreement: agreement.report,
        sweep,
        checks
    };
}

/** The in-process host for the GPU API, or a GpuUnavailableError that says what is missing. */
async function openGpuHost(gpu: GpuApi): Promise<InProcessHost> {
    try {
        return await InProcessHost.get(gpu);
    } catch (error) {
        if (error instanceof GpuUnavailableError && gpu === "cuda") {
            const why = diagnoseCudaBinaries();
            if (why !== undefined) throw new GpuUnavailableError(gpu, `${error.message}. ${why}`, error);
        }
        throw error;
    }
}

/**
 * That the binary serving the GPU is node-llama-cpp's prebuilt one for this API (its package's
 * libllama), that its ggml backend library is mapped, and that our addon bound to that libllama.
 */
function binaryChecks(gpu: GpuApi, host: InProcessHost): GpuRunCheck[] {
    const { description } = host;
    const prebuiltPackage = /[\\/]@node-llama-cpp[\\/]([^\\/]+)[\\/]bins[\\/]/.exec(description.libllamaPath)?.[1];
    const backendLibraries = loadAddon()
        .loadedLibraries()
        .filter((file) => path.basename(file).toLowerCase().startsWith(`libggml-${gpu}`));
    return [
        {
            name: `node-llama-cpp's prebuilt ${gpu} build is what loaded`,
            passed: description.binary === gpu && description.build === "prebuilt" && prebuiltPackage !== undefined && prebuiltPackage.includes(gpu),
            detail: `${description.build} ${description.binary === false ? "cpu" : description.binary} binary, ${prebuiltPackage === undefined ? "not from an @node-llama-cpp package" : `@node-llama-cpp/${prebuiltPackage}`}: ${description.libllamaPath}`
        },
        {
            name: `ggml's ${gpu} backend library is mapped`,
            // Metal's backend is built into libggml; the others are a library of their own.
            passed: gpu === "metal" || backendLibraries.length > 0,
            detail: backendLibraries.length > 0 ? backendLibraries.join(", ") : "none mapped"
        },
        {
            name: "the llm-rerank addon is bound to that libllama",
            passed: description.systemInfo.length > 0 && description.devices.length > 0,
            detail: `${description.addon.path} (${description.addon.origin}); llama_print_system_info: ${description.systemInfo.split("|")[0]!.trim()}; devices ${description.devices.map((device) => device.name).join(", ")}`
        }
    ];
}

async function checkAgreement(options: GpuRunOptions, model: string): Promise<{ report: GpuRunReport["agreement"]; checks: GpuRunCheck[] }> {
    // One slot per pair (up to 16): every pair in one decode, whose output rows (4 to 16 of them on
    // CUDA) take the TF32 kernel that CUDA's estimated budget accounts for.
    const gpuSide = await loadInstrumentedReranker({
        model,
        gpu: options.gpu,
        threads: options.threads,
        slots: Math.min(options.agreementPairs, 16),
        scoreCacheSize: 0
    });
    try {
        const { reranker, recorder } = gpuSide;
        const profile = reranker.profile;
        const prefixes = profile.format === "flag-embedding" ? { query: profile.queryPrefix, passage: profile.passagePrefix } : { query: "", passage: "" };
        const workload = await BenchWorkload.build(
            { queries: 1, passagesPerQuery: options.agreementPairs, queryTokens, passageTokens: agreementPassageTokens, seed: options.seed },
            async (text) => (await recorder.model.tokenize([text], false))[0]!.length,
            prefixes.query,
            prefixes.passage
        );
        const { query, passages } = workload.items[0]!;
        const pairs = passages.map((passage) => [query, passage] as [string, string]);
        let inputTokens = 0;
        const gpuScores = await reranker.score(pairs, { onUsage: (usage) => (inputTokens += usage.inputTokens) });
        const description = reranker.describe();
        const tokens = await Promise.all(passages.map((passage) => reranker.buildInput(query, passage)));
        // The CPU side runs node-llama-cpp's CPU build, which a process that loaded a GPU build cannot
        // also load (one libllama per process): a child process, as isolation "process" starts it.
        const cpuSide = await Reranker.load({ model, gpu: false, isolation: "process", threads: options.threads, scoreCacheSize: 0 });
        let cpuScores: number[];
        let cpuBackend: string;
        try {
            cpuScores = await cpuSide.score(pairs);
            const cpu = cpuSide.describe().backend;
            const threads = cpuSide.describe().settings.threads;
            cpuBackend = `the CPU (${cpu.build} ${cpu.binary === false ? "cpu" : cpu.binary} build, ${threads} thread${threads === 1 ? "" : "s"}, child process)`;
        } finally {
            await cpuSide.dispose();
        }
        const differences = gpuScores.map((score, i) => Math.abs(score - cpuScores[i]!));
        // A NaN difference (a non-finite score) is the worst of all.
        const maxDifference = differences.some(Number.isNaN) ? Number.NaN : Math.max(...differences);
        const meanDifference = differences.reduce((sum, value) => sum + value, 0) / differences.length;
        const switches = description.precision.arithmetic.switches;
        const budget = cpuAgreementTolerance({
            ...errorBudgetKeyOf(reranker),
            cudaTf32Off: switches.some((entry) => entry.name === nvidiaTf32Override && entry.value === "0")
        });
        const toleranceDetail =
            budget === null
                ? `not judged: no error budget applies to ${options.gpu} with ${description.precision.arithmetic.mode} arithmetic and ${description.model.weightType} weights`
                : `tolerance ${budget.tolerance.toExponential(2)} = the ${options.gpu} budget ${budget.gpuBudget.toExponential(2)}${budget.estimated ? " (estimated, not measured)" : " (measured)"} + the CPU's F32 budget ${budget.cpuBudget.toExponential(2)}, each against the float64 reference (src/bench/errorBudget.ts)`;
        const placement = description.placement;
        return {
            report: {
                pairs: pairs.length,
                query,
                passages,
                tokens,
                scoreTokens: description.scoreTokens,
                inputTokens,
                passageTokens: agreementPassageTokens,
                gpuSlots: description.settings.slots,
                cpuBackend,
                gpuArithmetic: `${description.precision.arithmetic.mode} arithmetic`,
                maxDifference,
                meanDifference,
                tolerance: budget?.tolerance ?? null,
                toleranceDetail,
                cpuScores,
                gpuScores
            },
            checks: [
                {
                    name: `the agreement model's ${placement.layerCount} layers all run on ${options.gpu}`,
                    passed: description.backend.gpu === options.gpu && placement.layersOffloaded === placement.layerCount,
                    detail: `${placement.layersOffloaded} of ${placement.layerCount} layers on ${placement.devices.map((device) => device.name).join(", ") || "no device"}`
                },
                {
                    name:
                        budget === null
                            ? `${options.gpu} and CPU scores of the same ${pairs.length} pairs: not judged`
                            : `${options.gpu} and CPU score the same ${pairs.length} pairs within ${budget.tolerance.toExponential(2)}`,
                    passed: budget === null ? !Number.isNaN(maxDifference) : maxDifference <= budget.tolerance,
                    detail: `max |difference| ${maxDifference.toExponential(2)}, mean ${meanDifference.toExponential(2)}; ${toleranceDetail}`
                }
            ]
        };
    } finally {
        await gpuSide.reranker.dispose();
    }
}

async function generated(options: GpuRunOptions, spec: BenchModelSpec): Promise<GpuRunModel> {
    const start = performance.now();
    const progress = generationProgress(options);
    const { path: modelPath, generated: written } = await ensureBenchModel(options.modelDir, spec, progress.start, progress.onProgress);
    progress.finish();
    return {
        path: modelPath,
        preset: spec.preset,
        bytes: planBenchModel(options.modelDir, spec).bytes,
        generatedSeconds: written ? (performance.now() - start) / 1000 : null
    };
}

function fileModel(model: { path: string }): GpuRunModel {
    return { path: path.resolve(model.path), preset: null, bytes: statSync(model.path).size, generatedSeconds: null };
}

/** One progress line while a model is written: redrawn in place on a terminal, every tenth otherwise. */
function generationProgress(options: GpuRunOptions) {
    let label = "";
    let started = 0;
    let lastTenth = -1;
    let lastDrawn = 0;
    return {
        start: (planned: { path: string; bytes: number }) => {
            label = `generating ${path.basename(planned.path)} (${gigabytes(planned.bytes)}) in ${path.dirname(planned.path)}`;
            started = performance.now();
            options.log(`gpu-run: ${label}`);
        },
        onProgress: (writtenBytes: number, totalBytes: number) => {
            const seconds = (performance.now() - started) / 1000;
            const line = `gpu-run: ${(100 * (writtenBytes / totalBytes)).toFixed(0).padStart(3)}% ${gigabytes(writtenBytes)} of ${gigabytes(totalBytes)}, ${seconds.toFixed(0)} s`;
            if (options.interactive) {
                const now = performance.now();
                if (now - lastDrawn < 250 && writtenBytes < totalBytes) return;
                lastDrawn = now;
                process.stderr.write(`\r\x1b[2K${line}`);
                return;
            }
            const tenth = Math.floor((10 * writtenBytes) / totalBytes);
            if (tenth === lastTenth) return;
            lastTenth = tenth;
            options.log(line);
        },
        finish: () => {
            if (options.interactive && started > 0) process.stderr.write("\r\x1b[2K");
        }
    };
}

function gigabytes(bytes: number): string {
    return `${(bytes / 1e9).toFixed(2)} GB`;
}
