import { existsSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import type { GpuOption } from "../native/HostDescription.js";
import type { BenchOptions } from "../bench/BenchOptions.js";
import { formatReport } from "../bench/BenchReport.js";
import { renderBarChartSvg } from "../bench/BenchSvgChart.js";
import { runBench } from "../bench/runBench.js";
import { runSweep } from "../bench/runSweep.js";
import { formatSweepReport } from "../bench/SweepReport.js";
import { renderSweepChartSvg } from "../bench/SweepSvgChart.js";
import { benchModelSeed, ensureBenchModel, generatedModelNote, planBenchModel, type BenchModelSpec } from "../testModel/benchModel.js";
import { defaultModelsDirectory } from "../model/resolveModelSource.js";
import { formatConcurrentReport, type ConcurrentBenchReport } from "../bench/concurrent/ConcurrentBenchReport.js";
import { formatConcurrentSummary, summarizeConcurrentRuns } from "../bench/concurrent/ConcurrentSummary.js";
import { runConcurrentBench } from "../bench/concurrent/runConcurrentBench.js";
import { preferPrebuiltEnvironmentVariable } from "../bench/workerProtocol.js";
import { formatGpuRunReport } from "../bench/gpuRun/GpuRunReport.js";
import { runGpuRun } from "../bench/gpuRun/runGpuRun.js";
import { isCpuBlasBuild } from "../load/chooseLlamaBuild.js";
import { readLocalBuildRecord } from "../native/LocalBuildRecord.js";
import { formatPrecisionTable, runPrecisionTable, type PrecisionTableModel } from "../bench/precision/runPrecisionTable.js";
import { integerFlag } from "./commonOptions.js";
import os from "node:os";
import { desktopRowKinds, type DesktopRowKind } from "../bench/desktop/DesktopRow.js";
import { formatDesktopReport, runDesktopBench, type DesktopBenchOptions } from "../bench/desktop/runDesktopBench.js";
import { testModelWeightTypes, type TestModelWeightType } from "../testModel/commonMetadata.js";

// the weight type `bench --preset desktop` generates and runs unless --weights names another
const desktopDefaultWeights = "q8_0";

const usage = `llm-rerank bench [--model M.gguf | --preset bench|gemma-2b] [--model-dir D] [--gpu auto|cuda|metal|vulkan|cpu] [--queries Q]
                 [--passages P] [--short] [--rounds N] [--quick] [--threads N] [--compare-threads | --compare-builds]
                 [--build auto|prebuilt|local] [--no-build-compare] [--bf16 | --bf16-model M-bf16.gguf]
                 [--sgemm-peak GFLOPS] [--seed N] [--json FILE] [--svg FILE] [--dry-run]
llm-rerank bench --preset desktop [--weights q8_0|bf16|f16|f32 | --model M.gguf] [--passages P] [--passage-tokens MIN-MAX] [--threads N] [--rows R,...]
                 [--batch-size B] [--ubatch-size U] [--slots S] [--flash-attention] [--sgemm-peak GFLOPS] [--seed N] [--json FILE]
llm-rerank bench --precision-table [--preset gemma-2b|bench|tiny] [--weight-types f32,bf16,f16,q8_0] [--delete-generated]
                 [--models REF.gguf,B.gguf,...] [--passages P] [--short] [--rounds K] [--gpu G] [--threads T] [--json FILE]
llm-rerank bench --concurrent N [--requests R] [--passages P] [--rounds K] [--model M.gguf | --models A.gguf,B.gguf]
                 [--slots default,4] [--long-call L] [--gpu G] [--threads T] [--seed N] [--json FILE]

Scores Q queries × P passages (default 1 × 64; passages 150–250 tokens, --short 30–60, queries ~30) with
  (a) one pair per decode, (b) batched slots, (c) batched slots + shared query prefix (the default
  Reranker), (raw) (c)'s exact batches sent straight to the addon, and (c) on the other llama.cpp build
  (prebuilt vs local) when both exist; rounds are interleaved (a b c raw a b c raw ...).
--compare-threads runs (c) with 1 and with 2 threads instead; --compare-builds runs (c) on the prebuilt
and on the local build, each alone in a child process; with --bf16 also on the BF16 bench model
(generated on first use, ~1.5 GB), or --bf16-model, the --model file in BF16. --quick: 16 passages. --rounds: default 1 (a
default run takes about 4 minutes on 2 cores); use more for medians. --sgemm-peak: this machine's
measured F32 GEMM rate (tools/sgemm-peak.c); each row's executed GFLOP/s is also shown as a share of it.
--concurrent N: N clients each send R small rerank requests (default 4) of P passages (default 4, 15–40
words) to one Reranker, (a) one call at a time through a queue against (b) all at once; pairs/s and
p50/p95 latency per request for each, their ratio, and exact checks (rounds: default 3, alternating), plus one
long call (1 query × L passages of 150–250 tokens, default 16; 0: none) timed alone. Runs on each model (default:
the tiny preset and the bench preset, generated on first use) with each --slots setting (default: the library's
default and 4, the old CPU default), then prints one table of every run and checks that the long call's scores
agree across slot settings within the packing tolerance.
--precision-table: 1 query × P passages (default 16, 150–250 tokens) scored with the preset generated in each
weight type (default f32,bf16,f16,q8_0: the same seeded values, rounded or quantized as llama.cpp's converters
would), one file at a time; pairs/s, tokens/s, and max/mean |Δ| and Kendall τ against the F32 file's scores on
the same pairs. --delete-generated deletes each file this run generated after its row (gemma-2b: F32 ~10 GB).
--models: any files instead (same vocabulary), the reference first. Every row runs on the prebuilt llama.cpp; with
--gpu cpu and a local BLAS build (build-llama --blas), the reference file also runs on that build, in a child process.
Default model: the bench preset, gemma-2b's layer width with 2 layers (~3 GB F32); --preset gemma-2b: the real
depth of bge-reranker-v2-gemma (18 layers, ~10 GB F32). Either is generated on first use into the model cache
folder (--model-dir D, else $LLM_RERANK_MODELS_DIR, else ~/.cache/llm-rerank/models), named by preset, seed and
weight type, and reused afterwards: seeded random weights and a synthetic vocabulary of Gemma's size, so it
runs at a real model's speed, but its scores mean nothing. --dry-run: print the model file the bench would
use, its size and whether it exists, and stop (nothing generated, nothing loaded).

llm-rerank bench --preset desktop: the desktop workload, 1 query × P chunks (default 30) of 150–1,000 tokens on a
  Qwen3-Reranker-0.6B shaped model (28 layers, n_embd 1024; generated on first use in the --weights type, default
  Q8_0; or --model, any Qwen3-Reranker GGUF), CPU only. Rows, each alone in a child process, one after another:
  this library in-process and isolated (isolation "process"), node-llama-cpp's rankAll with one context and with
  four (--rows in-process,isolated,peer-1,peer-4 picks some); seconds per query, pairs/s, peak RSS, executed GFLOP/s
  and its share of the F32 GEMM peak measured in the same run (numpy's OpenBLAS, if python3 has numpy; else
  --sgemm-peak). --batch-size, --ubatch-size, --slots and --flash-attention set this library's rows.

llm-rerank bench --sweep [--slots-grid 1,4,16,64] [--batch-grid 512,2048,8192] [--quick] ...
  scores the same workload (default 4 queries × 32 passages, --quick 2 × 8) at every slots × batch-size
  point, one Reranker at a time, and prints pairs/s, tokens/s, p50/p95 latency per call, device memory
  and peak VRAM per point, then the best configuration. --json and --svg (pairs/s against batch size).
  Default grid: GPU slots 1,4,16,64 × batch 512,2048,8192 (--quick: 1,8 × 512,2048); CPU slots 1,2,4,8 ×
  batch 256,512,1024 (--quick: 1,4 × 256,512).

llm-rerank bench --gpu-run --gpu cuda|vulkan|metal [--preset gemma-2b|bench|mid|tiny | --model M.gguf] [--agreement-preset mid|tiny]
                 [--agreement-pairs 8] [--slots-grid ...] [--batch-grid ...] [--queries Q] [--passages P] [--short] [--quick]
                 [--json FILE] [--svg FILE]
  the whole GPU run in one command (npm run bench:gpu: CUDA, gemma-2b): loads node-llama-cpp's prebuilt build for the
  GPU (a GpuUnavailableError within seconds when there is none, before anything is written), generates the models
  into the cache folder, scores --agreement-pairs short pairs (30–60 tokens) on the GPU and on the CPU (a child
  process) on the agreement model (default mid: 4 layers, the shape the error budgets were measured on) and judges
  them by the two backends' budgets, then sweeps the sweep model (default gemma-2b, 18 layers) as --sweep does.
  Prints each phase's time, the binary and device, the agreement, the sweep and every check; exits 1 if one fails.`;

/** `llm-rerank bench`: throughput of the scheduling strategies side by side, in one process. */
export const benchCommand = async (args: string[]): Promise<number> => {
    const { values } = parseArgs({
        args,
        options: {
            model: { type: "string" },
            gpu: { type: "string" },
            queries: { type: "string" },
            passages: { type: "string" },
            short: { type: "boolean" },
            rounds: { type: "string" },
            quick: { type: "boolean" },
            threads: { type: "string" },
            slots: { type: "string" },
            "compare-threads": { type: "boolean" },
            "compare-builds": { type: "boolean" },
            build: { type: "string" },
            "no-build-compare": { type: "boolean" },
            bf16: { type: "boolean" },
            "sgemm-peak": { type: "string" },
            "bf16-model": { type: "string" },
            seed: { type: "string" },
            json: { type: "string" },
            svg: { type: "string" },
            sweep: { type: "boolean" },
            "slots-grid": { type: "string" },
            "batch-grid": { type: "string" },
            preset: { type: "string" },
            "model-dir": { type: "string" },
            "dry-run": { type: "boolean" },
            concurrent: { type: "string" },
            requests: { type: "string" },
            "gpu-run": { type: "boolean" },
            "agreement-preset": { type: "string" },
            "agreement-pairs": { type: "string" },
            "precision-table": { type: "boolean" },
            "long-call": { type: "string" },
            "weight-types": { type: "string" },
            models: { type: "string" },
            "delete-generated": { type: "boolean" },
            weights: { type: "string" },
            "passage-tokens": { type: "string" },
            rows: { type: "string" },
            "batch-size": { type: "string" },
            "ubatch-size": { type: "string" },
            "flash-attention": { type: "boolean" },
            help: { type: "boolean", short: "h" }
        }
    });
    if (values.help) {
        console.log(usage);
        return 0;
    }
    const modelDir = values["model-dir"] ?? defaultModelsDirectory();
    if (values["gpu-run"]) return gpuRun(values, modelDir);
    const preset = values.preset ?? "bench";
    // tiny: the small preset --concurrent uses, and a quick --precision-table; desktop: its own workload
    if (preset !== "bench" && preset !== "gemma-2b" && preset !== "tiny" && preset !== "desktop")
        throw new InvalidArgumentError(`--preset expects bench, gemma-2b, tiny or desktop, got ${preset}`);
    if (preset === "desktop") return desktopBench(values, modelDir);
    if (values.model !== undefined && values.preset !== undefined) throw new InvalidArgumentError("--model and --preset exclude each other");
    const spec: BenchModelSpec = { preset, seed: benchModelSeed, weightType: "f32" };
    if (values["dry-run"]) return dryRun(values.model, modelDir, spec, values.bf16 === true && values["bf16-model"] === undefined);
    if (values.concurrent !== undefined) return concurrentBench(values, modelDir);
    if (values["precision-table"]) return precisionTable(values, modelDir, preset);
    const quick = values.quick === true;
    if (values.model !== undefined && !existsSync(values.model)) throw new InvalidArgumentError(`--model ${values.model} does not exist`);
    if (values.sweep) return sweep(values, values.model ?? (await generatedModel(modelDir, spec)), quick);
    const options: BenchOptions = {
        model: values.model ?? "", // the generated model's path, once the flags are known to be right
        gpu: parseGpu(values.gpu),
        queries: positive(integerFlag(values, "queries") ?? 1, "queries"),
        passagesPerQuery: positive(integerFlag(values, "passages") ?? (quick ? 16 : 64), "passages"),
        queryTokens: { min: 26, max: 34 },
        passageTokens: values.short ? { min: 30, max: 60 } : { min: 150, max: 250 },
        rounds: positive(integerFlag(values, "rounds") ?? 1, "rounds"),
        seed: integerFlag(values, "seed") ?? 1,
        threads: integerFlag(values, "threads"),
        mode: values["compare-threads"] ? "threads" : values["compare-builds"] ? "builds" : "configurations",
        threadCounts: [1, 2],
        compareBuilds: values["no-build-compare"] !== true
    };
    if (values["sgemm-peak"] !== undefined) {
        const peak = Number(values["sgemm-peak"]);
        if (!Number.isFinite(peak) || peak <= 0) throw new InvalidArgumentError(`--sgemm-peak expects GFLOP/s, a positive number, got ${values["sgemm-peak"]}`);
        options.sgemmPeakGflops = peak;
    }
    const build = values.build ?? "auto";
    if (!["auto", "prebuilt", "local"].includes(build)) throw new InvalidArgumentError(`--build expects auto, prebuilt or local, got ${build}`);
    if (build === "prebuilt") process.env[preferPrebuiltEnvironmentVariable] = "1";
    if (build !== "auto") options.requireBuild = build === "prebuilt" ? "prebuilt" : "localBuild";

    if (values.bf16 || values["bf16-model"] !== undefined) {
        if (options.mode !== "builds") throw new InvalidArgumentError("--bf16 and --bf16-model go with --compare-builds");
        if (values.bf16 && values.model !== undefined && values["bf16-model"] === undefined)
            throw new InvalidArgumentError("--bf16 converts only the default bench model; with --model, name its BF16 file with --bf16-model");
        if (values["bf16-model"] !== undefined && !existsSync(values["bf16-model"]))
            throw new InvalidArgumentError(`--bf16-model ${values["bf16-model"]} does not exist`);
    }

    // generated only now, so that a wrong flag never costs a multi-gigabyte write first
    if (values.model === undefined) options.model = await generatedModel(modelDir, spec);
    if (values.bf16 || values["bf16-model"] !== undefined)
        options.bf16Model = values["bf16-model"] ?? (await generatedModel(modelDir, { ...spec, weightType: "bf16" }));

    const report = await runBench(options);
    console.log(formatReport(report));
    if (values.model === undefined) console.log(generatedModelNote);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    if (values.svg) {
        const { backend, machine, workload } = report;
        writeFileSync(
            values.svg,
            renderBarChartSvg(report.contenders, {
                title: `llm-rerank bench: ${path.basename(report.model.path)}`,
                lines: [
                    `backend ${backend.gpu === false ? "cpu" : backend.gpu}, ${backend.build} build, ${backend.threads} threads; ${machine.cpu} (${machine.cores} cores)`,
                    `${workload.queries} × ${workload.passagesPerQuery} pairs, passages ${workload.passageTokens.min}–${workload.passageTokens.max} tokens; ${workload.rounds} round(s); ${report.startedAt}`
                ]
            })
        );
    }
    return report.checks.every((check) => check.passed) ? 0 : 1;
};

async function sweep(values: Record<string, string | boolean | undefined>, model: string, quick: boolean): Promise<number> {
    const gpu = parseGpu(values.gpu as string | undefined);
    const onCpu = gpu === false;
    const slots = parseGrid(values["slots-grid"], "slots-grid") ?? (onCpu ? (quick ? [1, 4] : [1, 2, 4, 8]) : quick ? [1, 8] : [1, 4, 16, 64]);
    const batchSizes =
        parseGrid(values["batch-grid"], "batch-grid") ?? (onCpu ? (quick ? [256, 512] : [256, 512, 1024]) : quick ? [512, 2048] : [512, 2048, 8192]);
    const report = await runSweep({
        model,
        gpu,
        slots,
        batchSizes,
        queries: positive(integerFlag(values, "queries") ?? (quick ? 2 : 4), "queries"),
        passagesPerQuery: positive(integerFlag(values, "passages") ?? (quick ? 8 : 32), "passages"),
        queryTokens: { min: 26, max: 34 },
        passageTokens: values.short ? { min: 30, max: 60 } : { min: 150, max: 250 },
        rounds: positive(integerFlag(values, "rounds") ?? 1, "rounds"),
        seed: integerFlag(values, "seed") ?? 1,
        threads: integerFlag(values, "threads")
    });
    console.log(formatSweepReport(report));
    if (values.model === undefined) console.log(generatedModelNote);
    if (typeof values.json === "string") writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    if (typeof values.svg === "string") writeFileSync(values.svg, renderSweepChartSvg(report, `llm-rerank bench --sweep: ${path.basename(model)}`));
    return report.checks.every((check) => check.passed) ? 0 : 1;
}

/** `bench --gpu-run`: the whole GPU run, one command (src/bench/gpuRun/runGpuRun.ts). */
async function gpuRun(values: Record<string, string | boolean | undefined>, modelDir: string): Promise<number> {
    const gpu = parseGpu(values.gpu as string | undefined);
    if (gpu === false || gpu === "auto") throw new InvalidArgumentError(`--gpu-run needs --gpu cuda, vulkan or metal, got ${String(values.gpu ?? "none")}`);
    const otherModes = ["sweep", "concurrent", "requests", "compare-threads", "compare-builds", "no-build-compare", "bf16", "bf16-model", "sgemm-peak"];
    for (const flag of [...otherModes, "dry-run", "build", "rounds", "slots"]) {
        if (values[flag] !== undefined) throw new InvalidArgumentError(`--gpu-run takes no --${flag}`);
    }
    const presets = ["tiny", "mid", "bench", "gemma-2b"] as const;
    const preset = (values.preset as string | undefined) ?? "gemma-2b";
    if (values.model !== undefined && values.preset !== undefined) throw new InvalidArgumentError("--model and --preset exclude each other");
    if (!(presets as readonly string[]).includes(preset)) throw new InvalidArgumentError(`--preset expects ${presets.join(", ")}, got ${preset}`);
    const agreementPreset = (values["agreement-preset"] as string | undefined) ?? "mid";
    if (agreementPreset !== "tiny" && agreementPreset !== "mid")
        throw new InvalidArgumentError(`--agreement-preset expects tiny or mid, got ${agreementPreset}`);
    if (typeof values.model === "string" && !existsSync(values.model)) throw new InvalidArgumentError(`--model ${values.model} does not exist`);
    const quick = values.quick === true;
    const report = await runGpuRun({
        gpu,
        modelDir,
        sweepModel: typeof values.model === "string" ? { path: values.model } : { preset: preset as (typeof presets)[number] },
        agreementPreset,
        agreementPairs: positive(integerFlag(values, "agreement-pairs") ?? 8, "agreement-pairs"),
        sweep: {
            slots: parseGrid(values["slots-grid"], "slots-grid") ?? (quick ? [1, 8] : [1, 4, 16, 64]),
            batchSizes: parseGrid(values["batch-grid"], "batch-grid") ?? (quick ? [512, 2048] : [512, 2048, 8192]),
            queries: positive(integerFlag(values, "queries") ?? (quick ? 2 : 4), "queries"),
            passagesPerQuery: positive(integerFlag(values, "passages") ?? (quick ? 8 : 32), "passages"),
            passageTokens: values.short ? { min: 30, max: 60 } : { min: 150, max: 250 }
        },
        seed: integerFlag(values, "seed") ?? 1,
        threads: integerFlag(values, "threads"),
        log: (line) => console.error(line),
        interactive: process.stderr.isTTY === true
    });
    console.log(formatGpuRunReport(report));
    if (values.model === undefined) console.log(generatedModelNote);
    if (typeof values.json === "string") writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    if (typeof values.svg === "string")
        writeFileSync(values.svg, renderSweepChartSvg(report.sweep, `llm-rerank bench --gpu-run: ${path.basename(report.models.sweep.path)} on ${report.gpu}`));
    return report.checks.every((check) => check.passed) ? 0 : 1;
}

/** "MIN-MAX" tokens, for --passage-tokens. */
function parseTokenRange(value: string | undefined): { min: number; max: number } | undefined {
    if (value === undefined) return undefined;
    const match = /^(\d+)-(\d+)$/.exec(value);
    const [min, max] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
    if (!match || min < 1 || max < min) throw new InvalidArgumentError(`--passage-tokens expects MIN-MAX tokens, 1 ≤ MIN ≤ MAX, got ${value}`);
    return { min, max };
}

function parseGrid(value: string | boolean | undefined, name: string): number[] | undefined {
    if (typeof value !== "string") return undefined;
    const numbers = value.split(",").map((part) => Number(part.trim()));
    if (numbers.length === 0 || numbers.some((number) => !Number.isInteger(number) || number < 1)) {
        throw new InvalidArgumentError(`--${name} expects comma-separated positive integers, got ${value}`);
    }
    return numbers;
}

/** `bench --preset desktop`: one query × 30 long chunks on a Qwen3-Reranker-0.6B shaped model, against node-llama-cpp. */
async function desktopBench(values: Record<string, string | boolean | undefined>, modelDir: string): Promise<number> {
    const model = values.model as string | undefined;
    if (model !== undefined && values.weights !== undefined)
        throw new InvalidArgumentError("--weights picks a generated model; with --model, the file decides");
    if (model !== undefined && !existsSync(model)) throw new InvalidArgumentError(`--model ${model} does not exist`);
    const weightType = (values.weights as string | undefined) ?? desktopDefaultWeights;
    if (!testModelWeightTypes.includes(weightType as TestModelWeightType))
        throw new InvalidArgumentError(`--weights expects ${testModelWeightTypes.join(", ")}, got ${weightType}`);
    const rows = typeof values.rows === "string" ? values.rows.split(",").map((row) => row.trim()) : [...desktopRowKinds];
    for (const row of rows)
        if (!desktopRowKinds.includes(row as DesktopRowKind))
            throw new InvalidArgumentError(`--rows expects a list of ${desktopRowKinds.join(", ")}, got ${row}`);
    let sgemmPeakGflops: number | undefined;
    if (values["sgemm-peak"] !== undefined) {
        sgemmPeakGflops = Number(values["sgemm-peak"]);
        if (!Number.isFinite(sgemmPeakGflops) || sgemmPeakGflops <= 0)
            throw new InvalidArgumentError(`--sgemm-peak expects GFLOP/s, a positive number, got ${String(values["sgemm-peak"])}`);
    }
    const spec: BenchModelSpec = { preset: "desktop", seed: benchModelSeed, weightType: weightType as TestModelWeightType };
    if (values["dry-run"]) return dryRun(model, modelDir, spec, false);
    const options: DesktopBenchOptions = {
        model: "",
        passages: positive(integerFlag(values, "passages") ?? 30, "passages"),
        passageTokens: parseTokenRange(values["passage-tokens"] as string | undefined) ?? { min: 150, max: 1000 },
        queryTokens: { min: 6, max: 12 },
        seed: integerFlag(values, "seed") ?? 1,
        threads: positive(integerFlag(values, "threads") ?? os.availableParallelism(), "threads"),
        rows: rows as DesktopRowKind[],
        settings: {
            slots: integerFlag(values, "slots"),
            batchSize: integerFlag(values, "batch-size"),
            ubatchSize: integerFlag(values, "ubatch-size"),
            flashAttention: values["flash-attention"] === true ? true : undefined
        },
        sgemmPeakGflops
    };
    options.model = model ?? (await generatedModel(modelDir, spec));
    const report = await runDesktopBench(options, (line) => console.error(line));
    console.log(formatDesktopReport(report));
    if (model === undefined) console.log(generatedModelNote);
    if (typeof values.json === "string") writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
}

/**
 * `bench --concurrent N`: its own runner, since it compares call patterns, not scheduling
 * configurations. One run per model × slot setting, one after another in this process (default:
 * the tiny preset and the bench-width preset, each with the library's default slots and with 4,
 * the old CPU default), then one table of them all.
 */
async function concurrentBench(values: Record<string, string | boolean | undefined>, modelDir: string): Promise<number> {
    if (values.preset !== undefined)
        throw new InvalidArgumentError("--concurrent runs on --model, --models or the tiny and bench presets; it takes no --preset");
    if (values.model !== undefined && values.models !== undefined) throw new InvalidArgumentError("--model and --models exclude each other");
    const listed =
        typeof values.models === "string" ? values.models.split(",").map((file) => file.trim()) : typeof values.model === "string" ? [values.model] : undefined;
    for (const file of listed ?? []) if (!existsSync(file)) throw new InvalidArgumentError(`--model ${file} does not exist`);
    const slotSettings = parseSlotSettings(values.slots);
    const longCallPassages = integerFlag(values, "long-call") ?? 16;
    if (longCallPassages < 0) throw new InvalidArgumentError(`--long-call expects a passage count (0: none), got ${longCallPassages}`);
    const options = {
        gpu: parseGpu(values.gpu as string | undefined),
        threads: integerFlag(values, "threads"),
        clients: positive(integerFlag(values, "concurrent")!, "concurrent"),
        requestsPerClient: positive(integerFlag(values, "requests") ?? 4, "requests"),
        passagesPerRequest: positive(integerFlag(values, "passages") ?? 4, "passages"),
        rounds: positive(integerFlag(values, "rounds") ?? 3, "rounds"),
        seed: integerFlag(values, "seed") ?? 1,
        longCall: longCallPassages > 0 ? { passages: longCallPassages, passageTokens: { min: 150, max: 250 } } : undefined
    };
    // generated only now, once every flag is known to be right
    const models = listed ?? [
        await generatedModel(modelDir, { preset: "tiny", seed: benchModelSeed, weightType: "f32" }),
        await generatedModel(modelDir, { preset: "bench", seed: benchModelSeed, weightType: "f32" })
    ];
    const reports: ConcurrentBenchReport[] = [];
    for (const model of models) {
        for (const slots of slotSettings) {
            const report = await runConcurrentBench({ ...options, model, slots });
            console.log(formatConcurrentReport(report));
            console.log("");
            reports.push(report);
        }
    }
    const summary = summarizeConcurrentRuns(reports);
    console.log(formatConcurrentSummary(summary));
    if (listed === undefined) console.log(generatedModelNote);
    if (typeof values.json === "string") writeFileSync(values.json, `${JSON.stringify({ runs: reports, summary }, null, 2)}\n`);
    return reports.every((report) => report.checks.every((check) => check.passed)) && summary.checks.every((check) => check.passed) ? 0 : 1;
}

/** --slots: a list of KV slot counts and "default" (the library's own choice); default "default,4". */
function parseSlotSettings(value: string | boolean | undefined): (number | undefined)[] {
    if (typeof value !== "string") return [undefined, 4];
    return value.split(",").map((part) => {
        const text = part.trim();
        if (text === "default") return undefined;
        const slots = Number(text);
        if (!Number.isInteger(slots) || slots < 1) throw new InvalidArgumentError(`--slots expects slot counts (positive integers) or "default", got ${text}`);
        return slots;
    });
}

/**
 * `bench --precision-table`: the same pairs scored with the preset generated in each weight type
 * (or with the --models files, the first the reference), pairs/s against |Δ| and Kendall τ.
 */
async function precisionTable(values: Record<string, string | boolean | undefined>, modelDir: string, preset: BenchModelSpec["preset"]): Promise<number> {
    const gpu = parseGpu(values.gpu as string | undefined);
    let models: PrecisionTableModel[];
    if (typeof values.models === "string") {
        if (values.model !== undefined || values.preset !== undefined || values["weight-types"] !== undefined)
            throw new InvalidArgumentError("--models names the files itself: it takes no --model, --preset or --weight-types");
        const files = values.models.split(",").map((file) => file.trim());
        if (files.length < 2) throw new InvalidArgumentError("--models expects at least two comma-separated files, the reference (F32) first");
        for (const file of files) if (!existsSync(file)) throw new InvalidArgumentError(`--models: ${file} does not exist`);
        models = files.map((file) => ({ label: path.basename(file, ".gguf"), file: async () => file }));
    } else {
        if (values.model !== undefined)
            throw new InvalidArgumentError("--precision-table takes --preset (generated files) or --models A.gguf,B.gguf,..., not --model");
        const types = (typeof values["weight-types"] === "string" ? values["weight-types"] : "f32,bf16,f16,q8_0").split(",").map((type) => type.trim());
        for (const type of types)
            if (!testModelWeightTypes.includes(type as TestModelWeightType))
                throw new InvalidArgumentError(`--weight-types expects a list of ${testModelWeightTypes.join(", ")}, got ${type}`);
        if (types[0] !== "f32") throw new InvalidArgumentError("--weight-types must start with f32: the other rows are compared against it");
        const deleteGenerated = values["delete-generated"] === true;
        models = types.map((type) => {
            const spec: BenchModelSpec = { preset, seed: benchModelSeed, weightType: type as TestModelWeightType };
            let generatedNow = false;
            return {
                label: type.toUpperCase(),
                file: async () => {
                    // a second row on the same file (the BLAS row) must not forget that this run wrote it
                    generatedNow ||= !planBenchModel(modelDir, spec).exists;
                    return generatedModel(modelDir, spec);
                },
                // only files this run wrote: a file the user had already generated stays
                done: async (file) => {
                    if (deleteGenerated && generatedNow) await rm(file, { force: true });
                }
            };
        });
    }
    // With a local CPU build that has ggml's BLAS backend: the reference F32 file again on it, in a
    // child process (one libllama per process; every other row runs on the prebuilt binaries).
    if (gpu === false && isCpuBlasBuild(readLocalBuildRecord().record)) {
        const reference = models[0]!;
        models = [
            { ...reference, done: undefined },
            { label: `${reference.label} + BLAS`, file: reference.file, done: reference.done, build: "local", isolated: true },
            ...models.slice(1)
        ];
    }
    const report = await runPrecisionTable({
        models,
        gpu,
        threads: integerFlag(values, "threads"),
        passages: positive(integerFlag(values, "passages") ?? 16, "passages"),
        passageTokens: values.short ? { min: 30, max: 60 } : { min: 150, max: 250 },
        rounds: positive(integerFlag(values, "rounds") ?? 1, "rounds"),
        seed: integerFlag(values, "seed") ?? 1
    });
    console.log(formatPrecisionTable(report));
    if (values.models === undefined) console.log(generatedModelNote);
    if (typeof values.json === "string") writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.rows.every((row) => row.repeatable) ? 0 : 1;
}

/** The generated model for `spec` in the cache folder, written first when missing (once; later runs reuse it). */
async function generatedModel(modelDir: string, spec: BenchModelSpec): Promise<string> {
    const { path: modelPath, generated } = await ensureBenchModel(modelDir, spec, (planned) =>
        console.error(`bench: generating ${planned.path} (${spec.preset} preset, ${spec.weightType.toUpperCase()}, ${gigabytes(planned.bytes)}; once)`)
    );
    if (!generated) console.error(`bench: using the generated model ${modelPath}`);
    return modelPath;
}

/** `--dry-run`: the model file(s) a run would use, their size, and whether they must be generated. */
function dryRun(model: string | undefined, modelDir: string, spec: BenchModelSpec, bf16: boolean): number {
    if (model !== undefined) {
        console.log(`model ${path.resolve(model)}: ${existsSync(model) ? "exists" : "does not exist"}`);
        return existsSync(model) ? 0 : 1;
    }
    for (const each of bf16 ? [spec, { ...spec, weightType: "bf16" as const }] : [spec]) {
        const planned = planBenchModel(modelDir, each);
        console.log(
            `model ${planned.path}: ${each.preset} preset, seed ${each.seed}, ${each.weightType.toUpperCase()}, ${planned.bytes} bytes (${gigabytes(planned.bytes)}); ${planned.exists ? "exists, would be reused" : "would be generated"}`
        );
    }
    return 0;
}

function gigabytes(bytes: number): string {
    return `${(bytes / 1e9).toFixed(2)} GB`;
}

function parseGpu(value: string | undefined): GpuOption {
    if (value === undefined) return "auto";
    if (value === "cpu" || value === "false") return false;
    if (value === "auto" || value === "cuda" || value === "metal" || value === "vulkan") return value;
    throw new InvalidArgumentError(`--gpu expects auto, cuda, metal, vulkan or cpu, got ${value}`);
}

function positive(value: number, name: string): number {
    if (value < 1) throw new InvalidArgumentError(`--${name} must be at least 1, got ${value}`);
    return value;
}
