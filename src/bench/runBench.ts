import type { AddonDevice } from "../native/DeviceTypes.js";
import { readdirSync } from "node:fs";
import os from "node:os";
import { localBuildsDirectory } from "../native/LocalBuildRecord.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";
import { BenchRunner, type ContenderRun } from "./BenchRunner.js";
import type { BenchOptions } from "./BenchOptions.js";
import type { BenchCheck, BenchRatio, BenchReport } from "./BenchReport.js";
import { maxScoreDifference, speedRatio, summarize, tokenRateRatio } from "./BenchSummary.js";
import { BenchWorkload } from "./BenchWorkload.js";
import type { Contender } from "./Contender.js";
import { loadInstrumentedReranker, type InstrumentedReranker } from "./loadInstrumentedReranker.js";
import { ModelFlops } from "./ModelFlops.js";
import { RawReplayContender } from "./RawReplayContender.js";
import { RerankerContender } from "./RerankerContender.js";
import { WorkerContender, type WorkerBuild } from "./WorkerContender.js";
import type { ErrorBudgetKey } from "./errorBudget.js";
import { errorBudgetKeyOf, scoreAgreementCheck } from "./scoreAgreement.js";
import { describeWorkload, type WorkloadShape } from "./describeWorkload.js";

/** Loads the configurations, runs them in interleaved rounds and sums up what they did. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
    const started = Date.now();
    const flops = await ModelFlops.fromModelFile(options.model);
    const contenders: Contender[] = [];
    const notes: string[] = [];
    // Everything loaded, in load order; freed in reverse, so a replay context goes before the model it borrows.
    const disposables: { dispose(): Promise<void> }[] = [];
    const load = async (loadOptions: RerankerLoadOptions) => {
        const loaded = await loadInstrumentedReranker(loadOptions);
        disposables.push(loaded.reranker);
        return loaded;
    };
    const add = <T extends Contender>(contender: T): T => {
        contenders.push(contender);
        disposables.push(contender);
        return contender;
    };
    try {
        const base: RerankerLoadOptions = {
            model: options.model,
            gpu: options.gpu,
            threads: options.threads,
            // Off (also the library's default): a warm score cache would make every round after the first free.
            scoreCacheSize: 0,
            onWarning: (warning) => console.error(`bench: warning: ${warning.message}`)
        };
        let reference: InstrumentedReranker;
        if (options.mode === "configurations") {
            const naive = await load({ ...base, slots: 1, sharePrefix: false });
            // sharePrefix stays on: (b) calls scoreTokens(), which never shares a prefix. score() with
            // sharePrefix false would not batch at all: it puts every pair in a group of its own.
            const batched = await load(base);
            const full = await load(base);
            reference = full;
            add(new RerankerContender("a", "(a) naive: 1 pair per decode", naive.reranker, naive.recorder, "pair-at-a-time"));
            add(new RerankerContender("b", "(b) batched slots, no sharing", batched.reranker, batched.recorder, "token-sequences"));
            const fullContender = add(new RerankerContender("c", "(c) full: slots + shared prefix", full.reranker, full.recorder, "whole-list"));
            add(new RawReplayContender("raw", "(raw) (c)'s batches, addon only", fullContender.setup, full.host, full.recorder));
        } else if (options.mode === "builds") {
            // Loaded only to tokenize the workload: both builds run in children, on equal terms.
            reference = await load(base);
        } else {
            let first: InstrumentedReranker | undefined;
            for (const threads of options.threadCounts) {
                const loaded = await load({ ...base, threads });
                first ??= loaded;
                add(
                    new RerankerContender(
                        `c-${threads}t`,
                        `(c) full, ${threads} thread${threads === 1 ? "" : "s"}`,
                        loaded.reranker,
                        loaded.recorder,
                        "whole-list"
                    )
                );
            }
            reference = first!;
        }

        const loadedBuild = reference.reranker.describe().backend.build;
        if (options.requireBuild && loadedBuild !== options.requireBuild) {
            throw new Error(`asked for the ${options.requireBuild} llama.cpp build, but node-llama-cpp loaded the ${loadedBuild} one`);
        }
        const profile = reference.reranker.profile;
        const prefixes = profile.format === "flag-embedding" ? { query: profile.queryPrefix, passage: profile.passagePrefix } : { query: "", passage: "" };
        const countTokens = async (text: string) => (await reference.recorder.model.tokenize([text], false))[0]!.length;
        const workload = await BenchWorkload.build(
            {
                queries: options.queries,
                passagesPerQuery: options.passagesPerQuery,
                queryTokens: options.queryTokens,
                passageTokens: options.passageTokens,
                seed: options.seed
            },
            countTokens,
            prefixes.query,
            prefixes.passage
        );
        const shape = await describeWorkload(workload, reference.reranker, countTokens);

        const description = reference.reranker.describe();
        if (options.mode === "configurations" && options.compareBuilds) {
            const full = contenders.find((contender) => contender.key === "c")!;
            const otherBuild: WorkerBuild = description.backend.build === "localBuild" ? "prebuilt" : "localBuild";
            const other = await startBuildWorker(options, otherBuild, full.setup, notes);
            if (other) {
                add(other);
                notes.push(
                    `(c) on the ${otherBuild === "prebuilt" ? "prebuilt" : "local"} build runs alone in a child process, (c) here next to three more models and contexts: for an even comparison use --compare-builds.`
                );
            }
        }
        if (options.mode === "builds") {
            const setup = { threads: description.settings.threads, slots: description.settings.slots, batchSize: description.settings.batchSize };
            for (const build of ["prebuilt", "localBuild"] as const) {
                const worker = await startBuildWorker(options, build, setup, notes);
                if (worker) add(worker);
            }
            if (contenders.length < 2) throw new Error(`--compare-builds needs both llama.cpp builds: ${notes.join(" ")}`);
            if (options.bf16Model !== undefined) {
                for (const build of ["prebuilt", "localBuild"] as const) {
                    const worker = await startBuildWorker(options, build, setup, notes, options.bf16Model);
                    if (worker) add(worker);
                }
                notes.push(`The BF16 rows score ${options.bf16Model}: the same weights as the F32 model, rounded to BF16.`);
            }
        }

        const runs = await new BenchRunner(contenders, options.rounds).run(workload.items);
        const byKey = new Map(runs.map((run) => [run.contender.key, run]));
        const summaries = runs.map((run) => summarize(run, workload.pairCount, flops, !(run.contender instanceof WorkerContender)));
        const budget = errorBudgetKeyOf(reference.reranker);
        const { ratios, checks } =
            options.mode === "configurations"
                ? compareConfigurations(byKey, shape, description.backend.build, budget)
                : options.mode === "builds"
                  ? compareBuilds(runs)
                  : compareThreads(runs, budget);

        const vram = description.backend.gpu === false ? undefined : vramOf(await reference.host.readDevices(), description.backend.devices);
        if (options.mode === "configurations") {
            notes.push(
                "(a) scores one pair per score() call: one KV slot, one sequence per llama_decode, no prefix sharing (as node-llama-cpp's LlamaRankingContext does)."
            );
            notes.push("(raw) times only its decode() calls; the other rows time whole score()/rerank() calls.");
        }
        notes.push(
            "RSS and private memory per row are the whole process's after that row's rounds (child processes: their own). RSS counts the mmap'd weights once per " +
                "Reranker holding them, though the page cache holds the file once; private memory (RssAnon) leaves them out."
        );
        return {
            startedAt: new Date(started).toISOString(),
            wallSeconds: (Date.now() - started) / 1000,
            machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, platform: `${process.platform}-${process.arch}`, node: process.version },
            model: {
                path: options.model,
                parameterCount: description.model.parameterCount,
                nonEmbeddingParameters: flops.nonEmbeddingParameters,
                weightType: description.model.weightType
            },
            backend: {
                gpu: description.backend.gpu,
                build: options.mode === "builds" ? "prebuilt and localBuild, one child process each" : description.backend.build,
                blas: options.mode === "builds" ? null : (description.backend.blas?.vendor ?? null),
                libllamaPath: description.backend.libllamaPath,
                threads: contenders
                    .map((contender) => contender.setup.threads)
                    .filter((threads, i, all) => all.indexOf(threads) === i)
                    .join(", "),
                systemInfo: description.backend.systemInfo,
                binary: description.backend.binary,
                devices: (description.placement?.devices ?? []).map((device) => `${device.name} ${device.description}`),
                ...(description.backend.fallback ? { fallback: description.backend.fallback } : {}),
                arithmetic: `${description.precision.arithmetic.mode}: ${description.precision.arithmetic.detail}`,
                deviceBytesUsed: description.placement && description.placement.devices.length > 0 ? description.placement.deviceBytesUsed : null
            },
            workload: { ...shape.summary, seed: options.seed, rounds: options.rounds },
            flopsCounted: flops.explanation,
            sgemmPeakGflops: options.sgemmPeakGflops,
            contenders: summaries,
            ratios,
            checks,
            peakRssBytes: process.resourceUsage().maxRSS * 1024,
            vram: vram ?? undefined,
            notes
        };
    } finally {
        for (const disposable of disposables.reverse()) await disposable.dispose().catch(() => undefined);
    }
}

async function startBuildWorker(
    options: BenchOptions,
    build: WorkerBuild,
    setup: { threads: number; slots: number; batchSize: number },
    notes: string[],
    model: string = options.model
): Promise<WorkerContender | undefined> {
    if (build === "localBuild" && !hasLocalBuilds()) {
        notes.push("No local llama.cpp build exists (llm-rerank build-llama makes one), so prebuilt vs local was not compared.");
        return undefined;
    }
    const variant = model === options.model ? "" : "-bf16";
    let worker: WorkerContender;
    try {
        worker = await WorkerContender.start(`c-${build}${variant}`, `(c) on the ${build === "prebuilt" ? "prebuilt" : "local"} build`, {
            type: "load",
            model,
            gpu: options.gpu,
            llamaBuild: build === "prebuilt" ? "prebuilt" : "local",
            threads: setup.threads,
            slots: setup.slots,
            batchSize: setup.batchSize
        });
    } catch (error) {
        notes.push(`A child process could not load the ${build} build (${(error as Error).message}), so builds were not compared.`);
        return undefined;
    }
    const { blas, weightType } = worker.setup;
    worker.label = `(c) ${build === "prebuilt" ? "prebuilt" : "local"} build${blas ? ` + ${blas}` : ""}, ${weightType}`;
    return worker;
}

/** Whether node-llama-cpp's localBuilds folder holds a build (a folder), not just llm-rerank's record. */
function hasLocalBuilds(): boolean {
    try {
        return readdirSync(localBuildsDirectory(), { withFileTypes: true }).some((entry) => entry.isDirectory());
    } catch {
        return false;
    }
}

function compareConfigurations(
    byKey: Map<string, ContenderRun>,
    shape: WorkloadShape,
    build: string,
    budget: ErrorBudgetKey
): { ratios: BenchRatio[]; checks: BenchCheck[] } {
    const [a, b, c, raw] = (["a", "b", "c", "raw"] as const).map((key) => byKey.get(key)!);
    const tokens = (run: ContenderRun) => run.rounds[0]!.tokensEvaluated;
    const ideal = tokens(b!) / tokens(c!);
    const fullOverNaive = speedRatio(c!, a!);
    const ratios: BenchRatio[] = [
        {
            name: "c/a (pairs/s)",
            value: fullOverNaive,
            detail: `${((fullOverNaive / ideal) * 100).toFixed(0)}% of the ideal prefix-sharing speedup ${ideal.toFixed(3)}`
        },
        { name: "c/b (pairs/s)", value: speedRatio(c!, b!) },
        { name: "b/a (pairs/s)", value: speedRatio(b!, a!) },
        { name: "c/raw (pairs/s)", value: speedRatio(c!, raw!), detail: "1 = the TypeScript layer costs nothing" },
        { name: "ideal prefix-sharing speedup", value: ideal, detail: `${tokens(b!)} tokens without sharing ÷ ${tokens(c!)} with it` }
    ];
    const scoreDifference = maxScoreDifference(c!, b!);
    const checks: BenchCheck[] = [
        {
            name: "(a) and (b) evaluate every token",
            passed: tokens(a!) === tokens(b!) && tokens(b!) === shape.totalInputTokens,
            detail: `${tokens(a!)} and ${tokens(b!)} tokens; the inputs hold ${shape.totalInputTokens}`
        },
        {
            name: "prefix sharing saves (P − 1) × shared prefix length",
            passed: tokens(b!) - tokens(c!) === shape.expectedPrefixSaving,
            detail: `(b) − (c) = ${tokens(b!) - tokens(c!)} tokens, expected ${shape.expectedPrefixSaving}`
        },
        scoreAgreementCheck("(c) and (b) score alike", scoreDifference, budget),
        scoreAgreementCheck("(a) and (b) score alike", maxScoreDifference(a!, b!), budget),
        {
            name: "raw replay reproduces (c)'s logits",
            passed: raw!.rounds.every((round) => round.replayDifference === 0),
            detail: `max |difference| ${Math.max(...raw!.rounds.map((round) => round.replayDifference ?? Number.NaN)).toExponential(2)}`
        }
    ];
    const other = byKey.get("c-prebuilt") ?? byKey.get("c-localBuild");
    if (other) {
        const [local, prebuilt] = build === "localBuild" ? [c!, other] : [other, c!];
        ratios.push({ name: "local build ÷ prebuilt (tokens/s of (c))", value: tokenRateRatio(local, prebuilt) });
        checks.push(buildAgreement(local, prebuilt));
    }
    return { ratios, checks };
}

// ggml's BLAS backend sums each dot product in the BLAS's own order, so its scores differ from
// ggml's own kernels by F32 rounding: measured 1.5e-4 and 5.4e-5 (max over 64 and 16 pairs, bench
// model, OpenBLAS 0.3.21). 1e-3 is the bound this bench holds every other pair of F32
// configurations to.
const blasScoreTolerance = 1e-3;

/** Builds without a BLAS run the same kernels and must agree exactly; a BLAS changes only the rounding. */
function buildAgreement(local: ContenderRun, prebuilt: ContenderRun): BenchCheck {
    const difference = maxScoreDifference(local, prebuilt);
    const blas = local.contender.setup.blas ?? prebuilt.contender.setup.blas;
    return blas
        ? {
              name: `local (${blas}) and prebuilt builds agree within ${blasScoreTolerance}`,
              passed: difference <= blasScoreTolerance,
              detail: `max |difference| ${difference.toExponential(2)}`
          }
        : { name: "local and prebuilt builds give identical scores", passed: difference === 0, detail: `max |difference| ${difference.toExponential(2)}` };
}

function compareBuilds(runs: ContenderRun[]): { ratios: BenchRatio[]; checks: BenchCheck[] } {
    const byKey = new Map(runs.map((run) => [run.contender.key, run]));
    const prebuilt = byKey.get("c-prebuilt")!;
    const local = byKey.get("c-localBuild")!;
    const ratios: BenchRatio[] = [{ name: "local build ÷ prebuilt (tokens/s of (c))", value: tokenRateRatio(local, prebuilt) }];
    const checks: BenchCheck[] = [buildAgreement(local, prebuilt)];
    for (const [build, f32] of [
        ["prebuilt", prebuilt],
        ["localBuild", local]
    ] as const) {
        const bf16 = byKey.get(`c-${build}-bf16`);
        if (!bf16) continue;
        const name = build === "prebuilt" ? "prebuilt" : "local";
        ratios.push({
            name: `BF16 ÷ F32 weights, ${name} build (tokens/s of (c))`,
            value: tokenRateRatio(bf16, f32),
            detail: `max |score BF16 − score F32| ${maxScoreDifference(bf16, f32).toExponential(2)}; what that costs in ranking: llm-rerank check`
        });
    }
    return { ratios, checks };
}

function compareThreads(runs: ContenderRun[], budget: ErrorBudgetKey): { ratios: BenchRatio[]; checks: BenchCheck[] } {
    const ratios: BenchRatio[] = [];
    const checks: BenchCheck[] = [];
    const [first, ...others] = runs;
    for (const run of others) {
        ratios.push({ name: `${run.contender.key} / ${first!.contender.key} (pairs/s)`, value: speedRatio(run, first!) });
        const difference = maxScoreDifference(run, first!);
        checks.push(scoreAgreementCheck(`${run.contender.key} and ${first!.contender.key} score alike`, difference, budget));
    }
    return { ratios, checks };
}

/** Used and total memory of the host's GPU devices, as their drivers report them now. */
function vramOf(devices: AddonDevice[], hostDevices: AddonDevice[]): { total: number; used: number; free: number } {
    const names = new Set(hostDevices.map((device) => device.name));
    const mine = devices.filter((device) => names.has(device.name));
    const total = mine.reduce((sum, device) => sum + device.totalBytes, 0);
    const free = mine.reduce((sum, device) => sum + device.freeBytes, 0);
    return { total, used: total - free, free };
}
