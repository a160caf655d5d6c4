import path from "node:path";
import type { Scorer, ScorerDescription } from "./Scorer.js";
import { isRerankError } from "./errors/errorTransport.js";
import { DisposedError, InvalidArgumentError, SequenceTooLongError } from "./errors/errors.js";
import { PairScorer } from "./engine/PairScorer.js";
import { fillerBudget } from "./engine/fillerBudget.js";
import { ScoringEngine } from "./engine/ScoringEngine.js";
import { WindowedScorer, type WindowedCallbacks } from "./engine/WindowedScorer.js";
import { PassageWindower, type WindowSettings } from "./input/PassageWindower.js";
import { textSplitRuleFor } from "./input/textSplitRule.js";
import type { ModelFileSummary } from "./gguf/inspectModelFile.js";
import type { ScoreHead } from "./heads/ScoreHead.js";
import { checkModelHealth, type HealthCheckFacts, type HealthCheckOptions } from "./health/checkModelHealth.js";
import type { ModelHealthReport } from "./health/ModelHealth.js";
import type { PairEncoder } from "./input/PairEncoder.js";
import type { TextTokenizer } from "./input/TextTokenizer.js";
import type { LoadSeams } from "./load/LoadSeams.js";
import { openReranker } from "./load/openReranker.js";
import type { RuntimeSettings } from "./load/planContext.js";
import type { AddonContext, AddonModel, ModelHost } from "./native/AddonTypes.js";
import type { ArithmeticPrecision } from "./native/arithmeticPrecision.js";
import type { Placement } from "./native/describePlacement.js";
import type { HostDescription } from "./native/HostDescription.js";
import type { ModelProfile } from "./profiles/ModelProfile.js";
import type {
    CallUsage,
    PassageWindow,
    PassageWindows,
    RerankerLoadOptions,
    RerankOptions,
    RerankResult,
    ScoreOptions,
    ScoreProgress,
    StreamedScore
} from "./RerankerOptions.js";
import { sigmoid } from "./scoring/combineScore.js";
import { checkKnownKeys } from "./utils/checkKnownKeys.js";
import type { CacheStats } from "./utils/LruCache.js";
import { expectArray, expectBoolean, expectFunction, expectInteger, expectOneOf, expectString, invalidArgument, isPlainObject } from "./utils/validate.js";

export type { RuntimeSettings } from "./load/planContext.js";

/** What a load hands the Reranker it builds (src/load/openReranker.ts). */
export type RerankerParts = {
    profile: ModelProfile;
    prompt: string;
    host: ModelHost;
    summary: ModelFileSummary;
    model: AddonModel;
    /** The context the engine decodes with (the bench may have wrapped it). */
    context: AddonContext;
    /** Read from llama.cpp through the host once the context existed. */
    placement: Placement;
    settings: RuntimeSettings;
    tokenizer: TextTokenizer;
    encoder: PairEncoder;
    scoreTokenTexts: { text: string; id: number }[];
    head: ScoreHead;
    /** An encoder-only model (bert): no KV memory, every sequence whole in one decode. */
    encoderOnly: boolean;
};

export type { CacheStats } from "./utils/LruCache.js";

export type RerankerDescription = ScorerDescription & {
    model: {
        name: string;
        path: string;
        architecture: string;
        names: string[];
        weightType: string;
        tensorTypes: Record<string, number>;
        parameterCount: number;
    };
    profile: string;
    /** What `normalize: true` applies: sigmoid(score / normalizeTemperature), or nothing. */
    normalize: "sigmoid" | "none";
    /** 1, or the profile's temperature (zerank: 5). */
    normalizeTemperature: number;
    prompt: string;
    maxLength: number;
    scoreTokens: { text: string; id: number }[];
    /** How scores are read: the logits of scoreTokens, or llama.cpp's rank pooling of a classifier head. */
    scoreHead: { kind: "logits" | "rank-pooling"; labels: string[] };
    kvType: "f32" | "f16";
    flashAttention: boolean;
    backend: HostDescription;
    /** Weights, KV cache and arithmetic as they are on the backend in use. */
    precision: { weights: string; kvCache: "f32" | "f16"; flashAttention: boolean; arithmetic: ArithmeticPrecision };
    /**
     * Where llama.cpp put the layers and what it allocated there, read from llama.cpp through the
     * host when the context was created (in the child process too, with isolation: "process").
     */
    placement: Placement;
    settings: RuntimeSettings;
    /** Each cache's use: entries and bytes held (bytes as LruCache counts them), with their bounds. */
    caches: { tokens: CacheStats; scores: CacheStats };
    /** Decodes and tokens since load, over all calls (concurrent calls share decodes); calls accepted and not yet settled. */
    engine: { decodes: number; tokensEvaluated: number; fillerTokens: number; calls: number; pendingCalls: number };
    /** The last health check's report (at load, or checkHealth()); null when none ran (healthCheck: false). */
    health: ModelHealthReport | null;
};

/**
 * Scores (query, passage) pairs with an LLM reranker in GGUF form, exactly as the model's own
 * reference code does. The profile decides the input format and the score: for
 * bge-reranker-v2-gemma, FlagEmbedding's raw logit of "Yes" at the last token of
 * [bos] A: query \n B: passage \n prompt; for Qwen3-Reranker, P(yes) against "no".
 */
export class Reranker implements Scorer {
    readonly profile: ModelProfile;
    readonly prompt: string;
    private readonly host: ModelHost;
    private readonly summary: ModelFileSummary;
    private readonly model: AddonModel;
    private readonly context: AddonContext;
    private readonly settings: RuntimeSettings;
    private readonly tokenizer: TextTokenizer;
    private readonly encoder: PairEncoder;
    private readonly engine: ScoringEngine;
    private readonly scorer: PairScorer;
    private readonly windowed: WindowedScorer;
    private readonly scoreTokenTexts: { text: string; id: number }[];
    private readonly head: ScoreHead;
    private readonly sequenceCapacity: number;
    private readonly vocabularySize: number;
    private readonly parameterCount: number;
    private readonly placement: Placement;
    private disposePromise: Promise<void> | undefined;
    private healthReport: ModelHealthReport | null = null;

    private constructor(parts: RerankerParts) {
        this.profile = parts.profile;
        this.prompt = parts.prompt;
        this.host = parts.host;
        this.summary = parts.summary;
        this.model = parts.model;
        this.context = parts.context;
        this.settings = parts.settings;
        this.tokenizer = parts.tokenizer;
        this.encoder = parts.encoder;
        this.scoreTokenTexts = parts.scoreTokenTexts;
        const modelDescription = parts.model.describe();
        this.vocabularySize = modelDescription.vocabularySize;
        this.parameterCount = modelDescription.parameterCount;
        this.placement = parts.placement;
        // An encoder has no KV cells: a sequence is bounded by the batch it must fit whole.
        this.sequenceCapacity = parts.encoderOnly ? parts.settings.batchSize : parts.context.describe().sequenceContextSize;
        const head = parts.head;
        this.head = head;
        this.engine = new ScoringEngine(parts.context, {
            slots: parts.settings.slots,
            batchSize: parts.settings.batchSize,
            head,
            encoder: parts.encoderOnly,
            // A logits head reads its output at a flagged token, so filler after it changes nothing;
            // rank pooling reads the sequence's last token in the micro-batch, so it gets none.
            ...(head.kind === "logits" && !parts.encoderOnly
                ? {
                      equalSpans: {
                          sequenceCells: this.sequenceCapacity,
                          fillerBudget: fillerBudget({
                              fileBytes: parts.summary.fileBytes,
                              parameterCount: modelDescription.parameterCount,
                              vocabularySize: modelDescription.vocabularySize,
                              embeddingLength: parts.summary.computeShape.embeddingLength,
                              batchSize: parts.settings.batchSize
                          })
                      }
                  }
                : {})
        });
        this.scorer = new PairScorer({
            engine: this.engine,
            encoder: parts.encoder,
            head,
            sharePrefix: parts.settings.sharePrefix,
            scoreCacheSize: parts.settings.scoreCacheSize,
            scoreCacheBytes: parts.settings.scoreCacheBytes,
            precisionDetail: `profile ${parts.profile.name}, weights ${parts.summary.weightType}, KV cache ${parts.settings.kvType.toUpperCase()}`
        });
        const splitRuleReason = () => {
            const found = textSplitRuleFor(parts.summary);
            return found.rule ? "none" : found.reason;
        };
        this.windowed = new WindowedScorer(this.scorer, new PassageWindower(parts.tokenizer, parts.encoder.builder, parts.profile.name, splitRuleReason));
    }

    /**
     * Loads a GGUF reranker: checks every option and inspects the file first (nothing is downloaded,
     * started or allocated for a bad option), then loads it through one ModelHost (src/load/).
     */
    static load(options: RerankerLoadOptions): Promise<Reranker> {
        return openReranker(options, {});
    }

    /** load() with the seams tooling may watch it through (src/load/LoadSeams.ts); not public API. */
    static loadWith(options: RerankerLoadOptions, seams: LoadSeams): Promise<Reranker> {
        return openReranker(options, seams);
    }

    /** @internal The last step of a load (src/load/openReranker.ts). */
    static fromParts(parts: RerankerParts): Reranker {
        return new Reranker(parts);
    }

    get disposed(): boolean {
        return this.disposePromise !== undefined;
    }

    /** The exact token ids scored for (query, passage); tokenized off the main thread. */
    async buildInput(query: string, passage: string): Promise<number[]> {
        this.requireLive();
        const [tokens] = await this.encoder.encode([[expectString("query", query), expectString("passage", passage)]]);
        return Array.from(tokens!);
    }

    /**
     * FlagEmbedding's compute_score: one score per pair, in input order. Concurrent calls share
     * the model's KV slots, decode by decode.
     */
    async score(pairs: [string, string][], options: ScoreOptions = {}): Promise<number[]> {
        this.requireLive();
        const read = readScoreOptions(options);
        const { scores } = await this.scoreChecked(checkPairs(pairs), read);
        return this.normalized(scores, read.normalize);
    }

    /** Scores passages against one query; best first. */
    async rerank(query: string, passages: string[], options: RerankOptions = {}): Promise<RerankResult[]> {
        this.requireLive();
        expectString("query", query);
        expectArray("passages", passages).forEach((passage, i) => expectString(`passages[${i}]`, passage));
        const read = readScoreOptions(options, rerankOptionNames);
        const topN = options.topN === undefined ? passages.length : expectInteger("topN", options.topN, 0);
        const { scores, windows } = await this.scoreChecked(
            passages.map((passage) => [query, passage] as const),
            read
        );
        return this.normalized(scores, read.normalize)
            .map((score, index) => ({ index, score, passage: passages[index]!, ...(windows ? { window: bestWindow(windows[index]!) } : {}) }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, topN);
    }

    /**
     * Yields { index, score } as each pair is scored (completion order, not input order). Breaking
     * out of the loop cancels the pairs not yet scored.
     */
    async *scoreStream(pairs: [string, string][], options: ScoreOptions = {}): AsyncGenerator<StreamedScore, void, undefined> {
        this.requireLive();
        const read = readScoreOptions(options);
        const { normalize, callbacks } = read;
        const checked = checkPairs(pairs);
        const stop = new AbortController();
        const signal = callbacks.signal ? AbortSignal.any([callbacks.signal, stop.signal]) : stop.signal;
        const ready: StreamedScore[] = [];
        let wake: (() => void) | undefined;
        let finished = false;
        let failure: unknown;
        const work = this.scoreChecked(checked, {
            ...read,
            callbacks: {
                ...callbacks,
                signal,
                onScore: (index, score, window) => {
                    ready.push({ index, score: this.normalizedScore(score, normalize), ...(window ? { window } : {}) });
                    wake?.();
                }
            }
        })
            .then(
                () => (finished = true),
                (error: unknown) => {
                    finished = true;
                    failure = error;
                }
            )
            .finally(() => wake?.());
        try {
            while (true) {
                while (ready.length > 0) yield ready.shift()!;
                if (finished) break;
                await new Promise<void>((resolve) => (wake = resolve));
                wake = undefined;
            }
            if (failure !== undefined && !(stop.signal.aborted && isRerankError(failure, "ERR_ABORTED"))) throw failure;
        } finally {
            stop.abort();
            await work;
        }
    }

    /** Scores ready-made token sequences: the logit of the score token after each one's last token. */
    async scoreTokens(sequences: number[][], options: Pick<ScoreOptions, "signal" | "onProgress" | "onUsage"> = {}): Promise<number[]> {
        this.requireLive();
        const { callbacks } = readScoreOptions(options, ["signal", "onProgress", "onUsage"]);
        const converted = expectArray("sequences", sequences).map((sequence, i) => this.toTokenArray(sequence, i));
        return this.scorer.scoreSequences(converted, callbacks);
    }

    /**
     * Scores the built-in canary pairs (8 short pairs in 4 languages) and reports degenerate output:
     * non-finite, constant, saturated or inverted scores, each finding with its likely cause and fix
     * (src/health/). Runs once at load unless `healthCheck: false`; the report is also in
     * describe().health. On llm-rerank's generated test models (random weights) the order of the
     * passages is not judged.
     */
    async checkHealth(): Promise<ModelHealthReport> {
        return this.runHealthCheck({ atLoad: false });
    }

    /** The last health check's report, or null when none ran. */
    modelHealth(): ModelHealthReport | null {
        return this.healthReport;
    }

    /** @internal checkHealth() with the load's rules, other canaries, or facts overridden (tests). */
    async runHealthCheck(options: HealthCheckOptions, overrides: Partial<HealthCheckFacts> = {}): Promise<ModelHealthReport> {
        this.requireLive();
        const report = await checkModelHealth(this, { ...this.healthFacts(), ...overrides }, options);
        this.healthReport = report;
        return report;
    }

    private healthFacts(): HealthCheckFacts {
        const unknownTokenIds = new Set<number>();
        this.summary.tokenTypes.forEach((type, id) => type === 2 && unknownTokenIds.add(id));
        return {
            path: this.summary.path,
            profile: this.profile.name,
            architecture: this.summary.architecture,
            scale: this.profile.score.kind === "softmax" ? "probability" : "logit",
            head: this.head.kind,
            scoreTokens: this.scoreTokenTexts.map((token) => token.text),
            labels: this.summary.rankHead?.labels ?? [],
            customPrompt: this.prompt !== this.profile.prompt,
            temperature: this.profile.temperature,
            randomWeights: this.summary.generatedTestModel === true,
            unknownTokenIds,
            maxLength: this.encoder.builder.maxLength
        };
    }

    /** Scores checked pairs as the call's overflow says; windows only with "max-window". */
    private async scoreChecked(
        pairs: readonly (readonly [string, string])[],
        read: ReadScoreOptions
    ): Promise<{ scores: number[]; windows?: PassageWindows[] }> {
        if (!read.windows) return { scores: await this.scorer.scorePairs(pairs, read.callbacks) };
        const { scores, windows } = await this.windowed.scorePairs(pairs, read.windows, read.callbacks);
        const normalizedWindows = windows.map(({ windows, best }) => ({
            windows: windows.map((window) => ({ ...window, score: this.normalizedScore(window.score, read.normalize) })),
            best
        }));
        read.onWindows?.(normalizedWindows);
        return { scores, windows: normalizedWindows };
    }

    describe(): RerankerDescription {
        this.requireLive();
        return {
            model: {
                name: path.basename(this.summary.path).replace(/\.gguf$/i, ""),
                path: this.summary.path,
                architecture: this.summary.architecture,
                names: this.summary.names,
                weightType: this.summary.weightType,
                tensorTypes: this.summary.tensorTypes,
                parameterCount: this.parameterCount
            },
            profile: this.profile.name,
            normalize: this.profile.normalize,
            normalizeTemperature: this.profile.temperature ?? 1,
            prompt: this.prompt,
            maxLength: this.encoder.builder.maxLength,
            scoreTokens: this.scoreTokenTexts,
            scoreHead: { kind: this.head.kind, labels: this.head.kind === "rank-pooling" ? (this.summary.rankHead?.labels ?? []) : [] },
            kvType: this.settings.kvType,
            flashAttention: this.settings.flashAttention,
            backend: this.host.description,
            precision: {
                weights: this.summary.weightType,
                kvCache: this.settings.kvType,
                flashAttention: this.settings.flashAttention,
                arithmetic: this.host.description.arithmetic
            },
            placement: this.placement,
            settings: this.settings,
            caches: { tokens: this.tokenizer.cacheStats, scores: this.scorer.cacheStats },
            engine: { ...this.engine.totals, pendingCalls: this.engine.pendingJobs },
            health: this.healthReport
        };
    }

    /**
     * Rejects queued calls with a DisposedError, stops the call in flight at the next decode
     * boundary, waits only for the decode in progress, then frees the context and the model.
     * Safe to call twice.
     */
    dispose(): Promise<void> {
        this.disposePromise ??= (async () => {
            await this.engine.close(new DisposedError("this Reranker"));
            await this.encoder.idle();
            await this.windowed.idle();
            try {
                // After a crash of the isolated process there is nothing left to free.
                await this.context.dispose().catch(unlessCrashed);
                await this.model.dispose().catch(unlessCrashed);
            } finally {
                await this.host.release();
            }
        })();
        return this.disposePromise;
    }

    [Symbol.asyncDispose](): Promise<void> {
        return this.dispose();
    }

    private normalized(scores: number[], normalize: boolean): number[] {
        return normalize && this.profile.normalize === "sigmoid" ? scores.map((score) => this.normalizedScore(score, true)) : scores;
    }

    /** The profile's normalization: sigmoid(score / temperature), the temperature 1 unless the profile sets one (zerank's 5). */
    private normalizedScore(score: number, normalize: boolean): number {
        if (!normalize || this.profile.normalize !== "sigmoid") return score;
        const temperature = this.profile.temperature;
        return sigmoid(temperature === undefined ? score : score / temperature);
    }

    private toTokenArray(sequence: unknown, index: number): Int32Array {
        if (!Array.isArray(sequence) || sequence.length === 0) throw invalidArgument(`sequences[${index}]`, "a non-empty array of token ids", sequence);
        if (sequence.length > this.sequenceCapacity) throw new SequenceTooLongError(index, sequence.length, this.sequenceCapacity);
        for (const token of sequence) {
            if (typeof token !== "number" || !Number.isInteger(token) || token < 0 || token >= this.vocabularySize) {
                throw invalidArgument(`sequences[${index}] token`, `an integer token id in [0, ${this.vocabularySize})`, token);
            }
        }
        return Int32Array.from(sequence as number[]);
    }

    private requireLive(): void {
        if (this.disposed) throw new DisposedError("this Reranker");
    }
}

/** The window that gives a passage its score, without its score (the result carries that). */
function bestWindow({ windows, best }: PassageWindows): PassageWindow {
    const { score: _score, ...window } = windows[best]!;
    return window;
}

function unlessCrashed(error: unknown): void {
    if (!isRerankError(error, "ERR_BACKEND_CRASHED")) throw error;
}

function checkPairs(pairs: unknown): [string, string][] {
    expectArray("pairs", pairs).forEach((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
            throw invalidArgument(`pairs[${i}]`, "a [query, passage] pair of strings", pair);
        }
    });
    return pairs as [string, string][];
}

/** The options each call knows; anything else is refused by name (a typo is never ignored). */
const scoreOptionNames = [
    "normalize",
    "signal",
    "onProgress",
    "onUsage",
    "overflow",
    "windowTokens",
    "windowOverlap",
    "onWindows"
] as const satisfies readonly (keyof ScoreOptions)[];
const rerankOptionNames = [...scoreOptionNames, "topN"] as const satisfies readonly (keyof RerankOptions)[];

type ReadScoreOptions = {
    normalize: boolean;
    callbacks: WindowedCallbacks;
    /** Set with overflow "max-window". */
    windows?: WindowSettings;
    onWindows?: (passages: PassageWindows[]) => void;
};

function readScoreOptions(options: ScoreOptions, known: readonly string[] = scoreOptionNames): ReadScoreOptions {
    if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
    checkKnownKeys("the call's options", options, known);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument("signal", "an AbortSignal", options.signal);
    const onProgress = options.onProgress !== undefined ? expectFunction<(progress: ScoreProgress) => void>("onProgress", options.onProgress) : undefined;
    const onUsage = options.onUsage !== undefined ? expectFunction<(usage: CallUsage) => void>("onUsage", options.onUsage) : undefined;
    return {
        normalize: options.normalize === undefined ? false : expectBoolean("normalize", options.normalize),
        callbacks: { signal: options.signal, onProgress, onUsage },
        ...readOverflowOptions(options)
    };
}

/** overflow and its window sizes; a size given without "max-window" is refused, not ignored. */
function readOverflowOptions(options: ScoreOptions): Pick<ReadScoreOptions, "windows" | "onWindows"> {
    const overflow = options.overflow === undefined ? "truncate" : expectOneOf("overflow", options.overflow, ["truncate", "max-window"] as const);
    if (overflow === "truncate") {
        const stray = (["windowTokens", "windowOverlap", "onWindows"] as const).find((name) => options[name] !== undefined);
        if (stray) throw new InvalidArgumentError(`${stray} applies only with overflow: "max-window"`);
        return {};
    }
    const windowTokens = options.windowTokens === undefined ? undefined : expectInteger("windowTokens", options.windowTokens, 1);
    const windowOverlap = options.windowOverlap === undefined ? undefined : expectInteger("windowOverlap", options.windowOverlap, 0);
    if (windowTokens !== undefined && windowOverlap !== undefined && windowOverlap >= windowTokens) {
        throw new InvalidArgumentError(`windowOverlap ${windowOverlap} must be less than windowTokens ${windowTokens}`);
    }
    const onWindows = options.onWindows !== undefined ? expectFunction<(passages: PassageWindows[]) => void>("onWindows", options.onWindows) : undefined;
    return { windows: { windowTokens, windowOverlap }, onWindows };
}
