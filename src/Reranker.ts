import { RerankError } from "./errors/RerankError.js";
import {
    DecodeError,
    DisposedError,
    ModelLoadError,
    SequenceTooLongError,
    NonFiniteScoreError,
    PromptMismatchError,
    UnsupportedModelError
} from "./errors/errors.js";
import { inspectAdapterFile } from "./gguf/inspectAdapterFile.js";
import { inspectModelFile, type ModelFileSummary } from "./gguf/inspectModelFile.js";
import { createInputBuilder } from "./input/createInputBuilder.js";
import type { InputBuilder } from "./input/InputBuilder.js";
import { TextTokenizer } from "./input/TextTokenizer.js";
import type { AddonContext, AddonModel } from "./native/AddonTypes.js";
import { LlamaBackend, type BackendDescription } from "./native/LlamaBackend.js";
import { describePlacement, type Placement } from "./native/describePlacement.js";
import { checkWeightsFit, sizeContext } from "./sizing/sizeContext.js";
import { readMemoryBudget } from "./sizing/readMemoryBudget.js";
import type { ArithmeticPrecision } from "./native/arithmeticPrecision.js";
import { detectProfile, getProfile } from "./profiles/loadProfiles.js";
import type { ModelProfile } from "./profiles/ModelProfile.js";
import { promptRecordPath, readPromptRecord } from "./profiles/PromptRecord.js";
import type { RerankerLoadOptions, RerankOptions, RerankResult, RerankWarning, ScoreOptions } from "./RerankerOptions.js";
import { resolveRuntimeSettings, type RuntimeSettings } from "./resolveRuntimeSettings.js";
import type { SchedulerStats, ScoringGroup, ScoringSequence } from "./scheduling/ScoringGroup.js";
import { longestFirst, SlotScheduler } from "./scheduling/SlotScheduler.js";
import { sharedPrefixLength } from "./scheduling/sharedPrefixLength.js";
import { combineScore, scoredTokenTexts, sigmoid } from "./scoring/combineScore.js";
import { relabelledUserDefinedTokens } from "./input/relabelledUserDefinedTokens.js";
import { LruCache } from "./utils/LruCache.js";
import { expectArray, expectBoolean, expectFiniteNumber, expectInteger, expectOneOf, expectString, invalidArgument, isPlainObject } from "./utils/validate.js";

export type RerankerDescription = {
    model: { path: string; architecture: string; names: string[]; weightType: string; tensorTypes: Record<string, number>; parameterCount: number };
    profile: string;
    prompt: string;
    maxLength: number;
    scoreTokens: { text: string; id: number }[];
    kvType: "f32" | "f16";
    flashAttention: boolean;
    backend: BackendDescription;
    /** Weights, KV cache and arithmetic as they are on the backend in use. */
    precision: { weights: string; kvCache: "f32" | "f16"; flashAttention: boolean; arithmetic: ArithmeticPrecision };
    /** Where llama.cpp put the layers and what it allocated there, read from llama.cpp. */
    placement: Placement;
    settings: RuntimeSettings;
    caches: { tokens: { entries: number; hits: number; misses: number }; scores: { entries: number; hits: number; misses: number } };
};

/**
 * Scores (query, passage) pairs with an LLM reranker in GGUF form, exactly as the model's own
 * reference code does. The profile decides the input format and the score: for
 * bge-reranker-v2-gemma, FlagEmbedding's raw logit of "Yes" at the last token of
 * [bos] A: query \n B: passage \n prompt; for Qwen3-Reranker, P(yes) against "no".
 */
export class Reranker {
    readonly profile: ModelProfile;
    readonly prompt: string;
    private readonly backend: LlamaBackend;
    private readonly summary: ModelFileSummary;
    private readonly model: AddonModel;
    private readonly context: AddonContext;
    private readonly settings: RuntimeSettings;
    private readonly tokenizer: TextTokenizer;
    private readonly inputBuilder: InputBuilder;
    private readonly scoreTokenIds: Int32Array;
    private readonly sequenceCapacity: number;
    private readonly vocabularySize: number;
    private readonly parameterCount: number;
    private readonly gpuLayers: number;
    private readonly scoreCache: LruCache<string, number>;
    private queue: Promise<unknown> = Promise.resolve();
    private disposePromise: Promise<void> | undefined;
    /** Counters of the last score()/scoreTokens() call, for benchmarks. */
    lastRunStats: SchedulerStats = { decodes: 0, tokensEvaluated: 0 };

    private constructor(parts: {
        profile: ModelProfile;
        prompt: string;
        backend: LlamaBackend;
        summary: ModelFileSummary;
        model: AddonModel;
        context: AddonContext;
        settings: RuntimeSettings;
        tokenizer: TextTokenizer;
        inputBuilder: InputBuilder;
        scoreTokenIds: Int32Array;
    }) {
        this.profile = parts.profile;
        this.prompt = parts.prompt;
        this.backend = parts.backend;
        this.summary = parts.summary;
        this.model = parts.model;
        this.context = parts.context;
        this.settings = parts.settings;
        this.tokenizer = parts.tokenizer;
        this.inputBuilder = parts.inputBuilder;
        this.scoreTokenIds = parts.scoreTokenIds;
        const modelDescription = parts.model.describe();
        this.vocabularySize = modelDescription.vocabularySize;
        this.parameterCount = modelDescription.parameterCount;
        this.gpuLayers = parts.backend.description.gpu === false ? 0 : -1;
        this.sequenceCapacity = parts.context.describe().sequenceContextSize;
        this.scoreCache = new LruCache(parts.settings.scoreCacheSize);
    }

    static async load(options: RerankerLoadOptions): Promise<Reranker> {
        if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
        const modelPath = expectString("model", options.model);
        const summary = await inspectModelFile(modelPath);
        const profile =
            options.profile !== undefined ? getProfile(expectString("profile", options.profile)) : detectProfile(summary.architecture, summary.names);
        if (!profile || !profile.architectures.includes(summary.architecture)) {
            throw new UnsupportedModelError(
                `${modelPath} is a "${summary.architecture}" model; ${profile ? `profile ${profile.name} serves ${profile.architectures.join(", ")}` : "no profile serves that architecture"}`
            );
        }
        for (const token of scoredTokenTexts(profile)) {
            if (!summary.tokens.includes(token)) {
                throw new UnsupportedModelError(`the vocabulary of ${modelPath} has no "${token}" token, which profile ${profile.name} scores`);
            }
        }
        const loraPath = options.lora !== undefined ? expectString("lora", options.lora) : undefined;
        const loraScale = options.loraScale !== undefined ? expectFiniteNumber("loraScale", options.loraScale) : 1;
        if (loraPath !== undefined) await inspectAdapterFile(loraPath, summary.architecture);
        // An adapter's recorded prompt wins over the base model's: fine-tuning is where it was set.
        const record = (loraPath !== undefined ? readPromptRecord(loraPath) : undefined) ?? readPromptRecord(modelPath);
        const prompt = options.prompt !== undefined ? expectString("prompt", options.prompt) : (record?.prompt ?? profile.prompt);
        const maxLength = options.maxLength !== undefined ? expectInteger("maxLength", options.maxLength, 1) : profile.maxLength;
        const warn = options.onWarning ?? ((warning: RerankWarning) => process.emitWarning(warning.message, { code: warning.code }));
        if (record && record.profile !== profile.name) {
            warn({
                code: "PROMPT_MISMATCH",
                message: `${promptRecordPath(loraPath ?? modelPath)} records profile ${record.profile}, but ${profile.name} is in use`
            });
        }
        if (record && record.prompt !== prompt) {
            const message = `the prompt differs from the one ${promptRecordPath(loraPath ?? modelPath)} records for this model: trained with ${JSON.stringify(record.prompt)}, scoring with ${JSON.stringify(prompt)}`;
            if (options.strict === true) throw new PromptMismatchError(message);
            warn({ code: "PROMPT_MISMATCH", message });
        }
        if (!summary.rerankHeadVerified) {
            warn({
                code: "UNVERIFIED_RERANK_HEAD",
                message: `${modelPath} carries a reranker head in a quantized type; the library could not check that it matches the output matrix llama.cpp scores with.`
            });
        }
        if (summary.weightType !== "F32") {
            warn({
                code: "LOW_PRECISION_WEIGHTS",
                message: `${modelPath} stores its weights as ${summary.weightType}; scores will differ from the F32 model. Convert with --outtype f32 for FlagEmbedding-exact scores.`
            });
        }

        const llamaBuild = options.llamaBuild !== undefined ? expectOneOf("llamaBuild", options.llamaBuild, ["auto", "prebuilt", "local"] as const) : "auto";
        const fp16Arithmetic = options.fp16Arithmetic !== undefined ? expectBoolean("fp16Arithmetic", options.fp16Arithmetic) : false;
        const backend = await LlamaBackend.get(options.gpu ?? "auto", llamaBuild, fp16Arithmetic);
        const { requestedSlots, requestedBatchSize, defaultSlots, minDefaultBatchSize, maxDefaultBatchSize, ...requested } = resolveRuntimeSettings(
            options,
            backend.description
        );
        const arithmetic = backend.description.arithmetic;
        if (arithmetic.mode === "mixed") warn({ code: "FP16_ARITHMETIC", message: `${arithmetic.detail} ${fp16ArithmeticCost}` });
        // Free memory is read before the model loads: some drivers (Mesa's llvmpipe) never report
        // what is in use, so the weights are subtracted from this figure, not read back.
        const budget = readMemoryBudget(backend);
        const weightBytesOnDevice = budget.kind === "vram" ? summary.fileBytes : 0;
        checkWeightsFit(budget, weightBytesOnDevice);
        if (requested.kvType === "f16" || requested.flashAttention) {
            warn({ code: "F16_KV_CACHE", message: 'the KV cache is F16 (kvType "f16" or flash attention on); scores move by about 1e-2 against F32.' });
        }

        let model: AddonModel;
        try {
            model = await backend.addon.loadModel(modelPath, backend.description.gpu === false ? 0 : -1);
        } catch (error) {
            throw new ModelLoadError(`llama.cpp could not load ${modelPath}: ${(error as Error).message}`, error);
        }
        try {
            const loras = loraPath !== undefined ? [{ adapter: await loadLora(model, loraPath), scale: loraScale }] : [];
            const description = model.describe();
            const tokenizer = new TextTokenizer(model, {
                cacheEntries: requested.tokenCacheSize,
                matchHfSpaceRuns: summary.architecture === "gemma",
                userDefinedLiterals: relabelledUserDefinedTokens(summary, model, description)
            });
            const inputBuilder = createInputBuilder(tokenizer, description.bosToken, profile, maxLength, prompt);
            // FlagEmbedding's yes_loc: the first id of tokenizing the word on its own.
            const scoreTokenIds = Int32Array.from(scoredTokenTexts(profile), (text) => tokenizer.tokenize(text)[0]!);
            // Without a unified KV cache, llama.cpp gives each sequence n_ctx / n_seq_max cells, in
            // multiples of 256.
            const cellsPerSequence = Math.ceil(inputBuilder.maxSequenceLength / 256) * 256;
            const kvBytesPerCell = summary.kvValuesPerCell * (requested.kvType === "f32" ? 4 : 2);
            const sizing = sizeContext({
                budget,
                weightBytesOnDevice,
                kvBytesPerCell,
                cellsPerSequence,
                longestInput: inputBuilder.maxSequenceLength,
                shape: summary.computeShape,
                ubatchSize: requested.ubatchSize,
                onGpu: backend.description.gpu !== false,
                requestedSlots,
                defaultSlots,
                requestedBatchSize,
                minDefaultBatchSize,
                maxDefaultBatchSize
            });
            if (sizing.reducedFrom !== undefined) warn({ code: "SLOTS_REDUCED", message: `using ${sizing.slots} slots: ${sizing.reason}` });
            const settings: RuntimeSettings = {
                ...requested,
                slots: sizing.slots,
                batchSize: sizing.batchSize,
                ubatchSize: Math.min(requested.ubatchSize, sizing.batchSize),
                sizing
            };
            const context = await backend.addon.createContext(model, {
                contextSize: cellsPerSequence * settings.slots,
                batchSize: settings.batchSize,
                ubatchSize: settings.ubatchSize,
                sequences: settings.slots,
                threads: settings.threads,
                kvType: settings.kvType,
                flashAttention: settings.flashAttention,
                unifiedKv: false,
                loras,
                estimatedBytes: sizing.kvBytes
            });
            return new Reranker({ profile, prompt, backend, summary, model, context, settings, tokenizer, inputBuilder, scoreTokenIds });
        } catch (error) {
            model.dispose();
            throw error instanceof Error && "code" in error
                ? error
                : new ModelLoadError(`could not create a llama.cpp context: ${(error as Error).message}`, error);
        }
    }

    get disposed(): boolean {
        return this.disposePromise !== undefined;
    }

    /** The exact token ids scored for (query, passage). */
    buildInput(query: string, passage: string): number[] {
        this.requireLive();
        return Array.from(this.inputBuilder.build(expectString("query", query), expectString("passage", passage)));
    }

    /** FlagEmbedding's compute_score: one score per pair, in input order. */
    async score(pairs: [string, string][], options: ScoreOptions = {}): Promise<number[]> {
        this.requireLive();
        const normalize = readNormalize(options);
        const signal = readSignal(options);
        expectArray("pairs", pairs).forEach((pair, i) => {
            if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
                throw invalidArgument(`pairs[${i}]`, "a [query, passage] pair of strings", pair);
            }
        });
        const scores = await this.enqueue(() => this.scorePairs(pairs, signal));
        return normalize && this.profile.normalize === "sigmoid" ? scores.map(sigmoid) : scores;
    }

    /** Scores passages against one query; best first. */
    async rerank(query: string, passages: string[], options: RerankOptions = {}): Promise<RerankResult[]> {
        this.requireLive();
        expectString("query", query);
        expectArray("passages", passages).forEach((passage, i) => expectString(`passages[${i}]`, passage));
        const topN = options.topN === undefined ? passages.length : expectInteger("topN", options.topN, 0);
        const scores = await this.score(
            passages.map((passage) => [query, passage] as [string, string]),
            { normalize: readNormalize(options), signal: readSignal(options) }
        );
        return scores
            .map((score, index) => ({ index, score, passage: passages[index]! }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, topN);
    }

    /** Scores ready-made token sequences: the logit of the score token after each one's last token. */
    async scoreTokens(sequences: number[][], options: Pick<ScoreOptions, "signal"> = {}): Promise<number[]> {
        this.requireLive();
        const signal = readSignal(options);
        const converted = expectArray("sequences", sequences).map((sequence, i) => this.toTokenArray(sequence, i));
        return this.enqueue(async () => {
            const groups: ScoringGroup[] = [{ prefixLength: 0, sequences: longestFirst(converted.map((tokens, index) => ({ index, tokens }))) }];
            return this.evaluate(groups, converted.length, (index) => `sequence ${index}`, signal);
        });
    }

    describe(): RerankerDescription {
        this.requireLive();
        return {
            model: {
                path: this.summary.path,
                architecture: this.summary.architecture,
                names: this.summary.names,
                weightType: this.summary.weightType,
                tensorTypes: this.summary.tensorTypes,
                parameterCount: this.parameterCount
            },
            profile: this.profile.name,
            prompt: this.prompt,
            maxLength: this.inputBuilder.maxLength,
            scoreTokens: Array.from(this.scoreTokenIds, (id) => ({ text: this.model.tokenText(id), id })),
            kvType: this.settings.kvType,
            flashAttention: this.settings.flashAttention,
            backend: this.backend.description,
            precision: {
                weights: this.summary.weightType,
                kvCache: this.settings.kvType,
                flashAttention: this.settings.flashAttention,
                arithmetic: this.backend.description.arithmetic
            },
            placement: describePlacement(this.backend.addon, this.model, this.context, this.model.describe().layerCount, this.gpuLayers),
            settings: this.settings,
            caches: {
                tokens: this.tokenizer.cacheStats,
                scores: { entries: this.scoreCache.size, hits: this.scoreCache.hits, misses: this.scoreCache.misses }
            }
        };
    }

    /** Waits for in-flight work, then frees the context and the model. Safe to call twice. */
    dispose(): Promise<void> {
        this.disposePromise ??= this.queue
            .catch(() => undefined)
            .then(() => {
                this.context.dispose();
                this.model.dispose();
            });
        return this.disposePromise;
    }

    [Symbol.asyncDispose](): Promise<void> {
        return this.dispose();
    }

    private async scorePairs(pairs: [string, string][], signal: AbortSignal | undefined): Promise<number[]> {
        const scores = new Array<number>(pairs.length);
        const useCache = this.settings.scoreCacheSize > 0;
        // Keys are built only when the cache is on: JSON of every passage is not free on a hot path.
        const cacheKeys = useCache ? pairs.map(([query, passage]) => JSON.stringify([query, passage])) : [];
        const groupsByQuery = new Map<string, ScoringSequence[]>();
        let uncached = 0;
        pairs.forEach(([query, passage], index) => {
            const cached = useCache ? this.scoreCache.get(cacheKeys[index]!) : undefined;
            if (cached !== undefined) {
                scores[index] = cached;
                return;
            }
            // Without prefix sharing every pair joins one group: still packed across slots.
            const key = this.settings.sharePrefix ? query : "";
            if (!groupsByQuery.has(key)) groupsByQuery.set(key, []);
            groupsByQuery.get(key)!.push({ index, tokens: this.inputBuilder.build(query, passage) });
            uncached++;
        });
        if (uncached === 0) {
            this.lastRunStats = { decodes: 0, tokensEvaluated: 0 };
            return scores;
        }
        const groups = [...groupsByQuery.values()].map((sequences) => ({
            prefixLength: this.settings.sharePrefix ? sharedPrefixLength(sequences) : 0,
            sequences: longestFirst(sequences)
        }));
        const evaluated = await this.evaluate(groups, pairs.length, (index) => `pair ${index}`, signal);
        for (const group of groups) {
            for (const { index } of group.sequences) {
                scores[index] = evaluated[index]!;
                if (useCache) this.scoreCache.set(cacheKeys[index]!, evaluated[index]!);
            }
        }
        return scores;
    }

    private async evaluate(groups: ScoringGroup[], count: number, describeItem: (index: number) => string, signal: AbortSignal | undefined): Promise<number[]> {
        const results = new Float32Array(count * this.scoreTokenIds.length).fill(Number.NaN);
        const scheduler = new SlotScheduler(this.context, {
            slots: this.settings.slots,
            batchSize: this.settings.batchSize,
            scoreTokenIds: this.scoreTokenIds,
            signal
        });
        try {
            await scheduler.run(groups, results);
        } catch (error) {
            throw error instanceof RerankError ? error : new DecodeError(`llama.cpp failed to evaluate a batch: ${(error as Error).message}`, error);
        } finally {
            this.lastRunStats = scheduler.stats;
        }
        const scores: number[] = [];
        const width = this.scoreTokenIds.length;
        for (const group of groups) {
            for (const { index } of group.sequences) {
                const value = combineScore(this.profile, results.subarray(index * width, (index + 1) * width));
                if (!Number.isFinite(value)) {
                    throw new NonFiniteScoreError(
                        index,
                        value,
                        `${describeItem(index)}; profile ${this.profile.name}, weights ${this.summary.weightType}, KV cache ${this.settings.kvType.toUpperCase()}`
                    );
                }
                scores[index] = value;
            }
        }
        return scores;
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

    private enqueue<T>(work: () => Promise<T>): Promise<T> {
        // Work accepted before dispose() still runs: dispose() waits for this queue.
        const run = this.queue.catch(() => undefined).then(work);
        this.queue = run;
        return run;
    }

    private requireLive(): void {
        if (this.disposed) throw new DisposedError("this Reranker");
    }
}

/** Measured on llvmpipe (test/gpu/vulkan.test.ts's pairs): what FP16 arithmetic costs against F32. */
const fp16ArithmeticCost =
    "Measured on Mesa's llvmpipe against the float64 reference (golden pairs): max error 2.2e-3 (tiny model) and 2.6e-3 (mid) with FP16 arithmetic, against 6.7e-4 and 4.9e-4 in F32. On Vulkan, fp16Arithmetic: false (the default) computes in F32.";

async function loadLora(model: AddonModel, path: string) {
    try {
        return await model.loadLora(path);
    } catch (error) {
        throw new ModelLoadError(`llama.cpp could not load the LoRA adapter ${path}: ${(error as Error).message}`, error);
    }
}

function readSignal(options: ScoreOptions): AbortSignal | undefined {
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument("signal", "an AbortSignal", options.signal);
    return options.signal;
}

function readNormalize(options: ScoreOptions): boolean {
    if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
    return options.normalize === undefined ? false : expectBoolean("normalize", options.normalize);
}
