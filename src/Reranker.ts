import path from "node:path";
import type { Scorer, ScorerDescription } from "./Scorer.js";
import { isRerankError } from "./errors/errorTransport.js";
import { DisposedError, InvalidArgumentError, ModelLoadError, SequenceTooLongError, PromptMismatchError, UnsupportedModelError } from "./errors/errors.js";
import { PairScorer, type ScoringCallbacks } from "./engine/PairScorer.js";
import { ScoringEngine } from "./engine/ScoringEngine.js";
import { inspectAdapterFile } from "./gguf/inspectAdapterFile.js";
import { inspectModelFile, type ModelFileSummary } from "./gguf/inspectModelFile.js";
import { decideScoreHead } from "./heads/decideScoreHead.js";
import { RankPoolingHead } from "./heads/RankPoolingHead.js";
import type { ScoreHead } from "./heads/ScoreHead.js";
import { resolveModelSource } from "./model/resolveModelSource.js";
import { TokenLogitsHead } from "./heads/TokenLogitsHead.js";
import { createInputBuilder } from "./input/createInputBuilder.js";
import { PairEncoder } from "./input/PairEncoder.js";
import { relabelledUserDefinedTokens } from "./input/relabelledUserDefinedTokens.js";
import { TextTokenizer } from "./input/TextTokenizer.js";
import { textSplitRuleFor } from "./input/textSplitRule.js";
import { IsolatedBackend } from "./isolation/IsolatedBackend.js";
import type { IsolationProcess } from "./isolation/IsolationChannel.js";
import type { AddonContext, AddonContextOptions, AddonModel, ModelHost } from "./native/AddonTypes.js";
import type { LoadSeams } from "./load/LoadSeams.js";
import { LlamaBackend, type BackendDescription } from "./native/LlamaBackend.js";
import { applyRerankTemplate } from "./profiles/applyRerankTemplate.js";
import type { ArithmeticPrecision } from "./native/arithmeticPrecision.js";
import { describePlacement, type Placement } from "./native/describePlacement.js";
import { readMemoryBudget } from "./sizing/readMemoryBudget.js";
import { checkWeightsFit, sizeContext, type MemoryBudget } from "./sizing/sizeContext.js";
import { checkProfileTokenizer } from "./profiles/checkProfileTokenizer.js";
import { detectProfile, getProfile } from "./profiles/loadProfiles.js";
import type { ModelProfile } from "./profiles/ModelProfile.js";
import { promptRecordPath, readPromptRecord } from "./profiles/PromptRecord.js";
import type {
    CallUsage,
    RerankerLoadOptions,
    RerankOptions,
    RerankResult,
    RerankWarning,
    ScoreOptions,
    ScoreProgress,
    StreamedScore
} from "./RerankerOptions.js";
import { resolveRuntimeSettings, type RequestedSettings, type RuntimeSettings } from "./resolveRuntimeSettings.js";
import { scoredTokenTexts, sigmoid } from "./scoring/combineScore.js";
import {
    expectArray,
    expectBoolean,
    expectFiniteNumber,
    expectFunction,
    expectInteger,
    expectOneOf,
    expectString,
    invalidArgument,
    isPlainObject
} from "./utils/validate.js";

/** A cache's figures in describe(): use and hit counts, bytes as LruCache counts them, and its bounds. */
export type CacheStats = { entries: number; hits: number; misses: number; bytes: number; maxEntries: number; maxBytes: number };

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
    normalize: "sigmoid" | "none";
    prompt: string;
    maxLength: number;
    scoreTokens: { text: string; id: number }[];
    /** How scores are read: the logits of scoreTokens, or llama.cpp's rank pooling of a classifier head. */
    scoreHead: { kind: "logits" | "rank-pooling"; labels: string[] };
    kvType: "f32" | "f16";
    flashAttention: boolean;
    backend: BackendDescription;
    /** Weights, KV cache and arithmetic as they are on the backend in use. */
    precision: { weights: string; kvCache: "f32" | "f16"; flashAttention: boolean; arithmetic: ArithmeticPrecision };
    /**
     * Where llama.cpp put the layers and what it allocated there, read from llama.cpp; null in
     * isolation: "process" (not carried over IPC yet).
     */
    placement: Placement | null;
    settings: RuntimeSettings;
    /** Each cache's use: entries and bytes held (bytes as LruCache counts them), with their bounds. */
    caches: { tokens: CacheStats; scores: CacheStats };
    /** Decodes and tokens since load, over all calls (concurrent calls share decodes); calls accepted and not yet settled. */
    engine: { decodes: number; tokensEvaluated: number; calls: number; pendingCalls: number };
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
    private readonly scoreTokenTexts: { text: string; id: number }[];
    private readonly head: ScoreHead;
    private readonly sequenceCapacity: number;
    private readonly vocabularySize: number;
    private readonly parameterCount: number;
    private readonly gpuLayers: number;
    private disposePromise: Promise<void> | undefined;

    private constructor(parts: {
        profile: ModelProfile;
        prompt: string;
        host: ModelHost;
        summary: ModelFileSummary;
        model: AddonModel;
        context: AddonContext;
        settings: RuntimeSettings;
        tokenizer: TextTokenizer;
        encoder: PairEncoder;
        scoreTokenTexts: { text: string; id: number }[];
        head: ScoreHead;
        /** An encoder-only model (bert): no KV memory, every sequence whole in one decode. */
        encoderOnly: boolean;
    }) {
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
        this.gpuLayers = parts.host.description.gpu === false ? 0 : -1;
        // An encoder has no KV cells: a sequence is bounded by the batch it must fit whole.
        this.sequenceCapacity = parts.encoderOnly ? parts.settings.batchSize : parts.context.describe().sequenceContextSize;
        const head = parts.head;
        this.head = head;
        this.engine = new ScoringEngine(parts.context, {
            slots: parts.settings.slots,
            batchSize: parts.settings.batchSize,
            head,
            encoder: parts.encoderOnly
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
    }

    static load(options: RerankerLoadOptions): Promise<Reranker> {
        return Reranker.loadWith(options, {});
    }

    /** load() with the seams tooling may watch it through (src/load/LoadSeams.ts); not public API. */
    static async loadWith(options: RerankerLoadOptions, seams: LoadSeams): Promise<Reranker> {
        if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
        const modelPath = await resolveModelSource(options.model, options.download);
        const isolation = options.isolation !== undefined ? expectOneOf("isolation", options.isolation, ["none", "process"] as const) : "none";
        const summary = await inspectModelFile(modelPath);
        const profile =
            options.profile !== undefined ? getProfile(expectString("profile", options.profile)) : detectProfile(summary.architecture, summary.names);
        if (!profile || !profile.architectures.includes(summary.architecture)) {
            throw new UnsupportedModelError(
                `${modelPath} is a "${summary.architecture}" model; ${profile ? `profile ${profile.name} serves ${profile.architectures.join(", ")}` : "no profile serves that architecture"}`
            );
        }
        checkProfileTokenizer(modelPath, profile, summary.tokenizer);
        const headKind = decideScoreHead(summary, profile, readScoreHeadOption(options.scoreHead));
        for (const token of headKind === "logits" ? scoredTokenTexts(profile) : []) {
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
        if (summary.rankHead && summary.rankHead.tiedToEmbeddings === undefined && headKind === "logits") {
            warn({
                code: "UNVERIFIED_RERANK_HEAD",
                message: `${modelPath} carries a reranker head in a quantized type; the library could not check that it matches the output matrix llama.cpp scores with.`
            });
        }
        if (summary.weightType !== "F32") {
            warn({
                code: "LOW_PRECISION_WEIGHTS",
                message:
                    `${modelPath} stores its weights as ${summary.weightType}; scores will differ from the F32 model. Convert with --outtype f32 for FlagEmbedding-exact scores.` +
                    (summary.weightType === "BF16"
                        ? " BF16 keeps F32's exponent range, so unlike F16 it cannot overflow to Infinity or NaN where F32 does not."
                        : "")
            });
        }

        let templateProfile = profile;
        if (profile.format === "chat-template" && summary.rerankTemplate !== undefined) {
            const fromFile = applyRerankTemplate(profile, summary.rerankTemplate);
            if (fromFile) templateProfile = fromFile;
            else
                warn({
                    code: "RERANK_TEMPLATE_IGNORED",
                    message: `${modelPath}'s tokenizer.chat_template.rerank has no {query} … {document} user turn; using profile ${profile.name}'s template`
                });
        }

        const llamaBuild = options.llamaBuild !== undefined ? expectOneOf("llamaBuild", options.llamaBuild, ["auto", "prebuilt", "local"] as const) : "auto";
        const gpu = options.gpu ?? "auto";
        const fp16Arithmetic = options.fp16Arithmetic !== undefined ? expectBoolean("fp16Arithmetic", options.fp16Arithmetic) : false;
        const spawn = options.isolationProcess !== undefined ? expectFunction<IsolationSpawner>("isolationProcess", options.isolationProcess) : undefined;
        // The isolated child starts its backend with the default (F32) switches.
        const host: ModelHost =
            isolation === "process" ? await IsolatedBackend.start(gpu, llamaBuild, spawn) : await LlamaBackend.get(gpu, llamaBuild, fp16Arithmetic);
        try {
            const resolved = resolveRuntimeSettings(options, host.description);
            // bert has no KV memory: nothing to share, and llama.cpp encodes each call as one ubatch.
            const requested = summary.architecture === "bert" ? { ...resolved, sharePrefix: false, defaultSlots: encoderSequencesPerCall } : resolved;
            if (requested.kvType === "f16" || requested.flashAttention) {
                warn({ code: "F16_KV_CACHE", message: 'the KV cache is F16 (kvType "f16" or flash attention on); scores move by about 1e-2 against F32.' });
            }
            const arithmetic = host.description.arithmetic;
            if (arithmetic.mode === "mixed") warn({ code: "FP16_ARITHMETIC", message: `${arithmetic.detail} ${fp16ArithmeticCost}` });
            // Free memory is read before the model loads: some drivers (Mesa's llvmpipe) never report
            // what is in use, so the weights are subtracted from this figure, not read back.
            const budget = readMemoryBudget(host.description, host instanceof LlamaBackend ? () => host.addon.listDevices() : undefined);
            const weightBytesOnDevice = budget.kind === "vram" ? summary.fileBytes : 0;
            checkWeightsFit(budget, weightBytesOnDevice);
            return await Reranker.create(host, {
                summary,
                profile: templateProfile,
                prompt,
                maxLength,
                requested,
                budget,
                weightBytesOnDevice,
                warn,
                loraPath,
                loraScale,
                headKind,
                seams
            });
        } catch (error) {
            await host.release();
            throw error;
        }
    }

    private static async create(
        host: ModelHost,
        parts: {
            summary: ModelFileSummary;
            profile: ModelProfile;
            prompt: string;
            maxLength: number;
            requested: RequestedSettings;
            budget: MemoryBudget;
            weightBytesOnDevice: number;
            warn: (warning: RerankWarning) => void;
            loraPath?: string;
            loraScale: number;
            headKind: "logits" | "rank";
            seams: LoadSeams;
        }
    ): Promise<Reranker> {
        const { summary, profile, prompt, maxLength, loraPath } = parts;
        const { requestedSlots, requestedBatchSize, defaultSlots, minDefaultBatchSize, maxDefaultBatchSize, ...requested } = parts.requested;
        const { headKind } = parts;
        const encoderOnly = summary.architecture === "bert";
        let model: AddonModel;
        try {
            model = await host.loadModel(summary.path, host.description.gpu === false ? 0 : -1);
        } catch (error) {
            throw asTyped(error, (message) => new ModelLoadError(`llama.cpp could not load ${summary.path}: ${message}`, error));
        }
        try {
            const loras = loraPath !== undefined ? [{ adapter: await loadLora(model, loraPath), scale: parts.loraScale }] : [];
            const description = model.describe();
            const tokenizer = await TextTokenizer.create(model, {
                cacheEntries: requested.tokenCacheSize,
                cacheBytes: requested.tokenCacheBytes,
                splitRule: textSplitRuleFor(summary).rule,
                matchHfSpaceRuns: summary.architecture === "gemma",
                userDefinedLiterals: await relabelledUserDefinedTokens(summary, model, description)
            });
            const builder = await createInputBuilder(tokenizer, description.bosToken, profile, maxLength, prompt, (text) => controlTokenId(summary, text));
            // FlagEmbedding's yes_loc: the first id of tokenizing the word on its own.
            const texts = headKind === "logits" ? scoredTokenTexts(profile) : [];
            const ids = await Promise.all(texts.map(async (text) => (await tokenizer.tokenize(text))[0]!));
            const scoreTokenTexts = texts.map((text, i) => ({ text, id: ids[i]! }));
            const head: ScoreHead =
                headKind === "logits"
                    ? new TokenLogitsHead(profile, Int32Array.from(ids))
                    : createRankPoolingHead(profile, summary, description.classifierOutputs);
            if (encoderOnly && builder.maxSequenceLength > summary.trainContextLength)
                throw new InvalidArgumentError(
                    `maxLength ${maxLength} allows ${builder.maxSequenceLength}-token inputs; ${summary.path} has ${summary.trainContextLength} positions`
                );
            // An encoder runs every call as one ubatch (ubatch = batch), which must hold the longest input whole.
            // Default 2048 tokens on a GPU, 512 on a CPU, as before the sizing: an encoder's attention spans
            // the whole ubatch, which the sizing's compute estimate (per-slot cells) does not model.
            const encoderBatchSize = Math.max(requestedBatchSize ?? (host.description.gpu !== false ? 2048 : 512), builder.maxSequenceLength);
            // Without a unified KV cache, llama.cpp gives each sequence n_ctx / n_seq_max cells, in
            // multiples of 256.
            const cellsPerSequence = Math.ceil(builder.maxSequenceLength / 256) * 256;
            const sizing = sizeContext({
                budget: parts.budget,
                weightBytesOnDevice: parts.weightBytesOnDevice,
                // An encoder keeps no KV cells.
                kvBytesPerCell: encoderOnly ? 0 : summary.kvValuesPerCell * (requested.kvType === "f32" ? 4 : 2),
                cellsPerSequence,
                longestInput: builder.maxSequenceLength,
                shape: summary.computeShape,
                ubatchSize: encoderOnly ? encoderBatchSize : requested.ubatchSize,
                onGpu: host.description.gpu !== false,
                requestedSlots,
                defaultSlots,
                requestedBatchSize: encoderOnly ? encoderBatchSize : requestedBatchSize,
                minDefaultBatchSize,
                maxDefaultBatchSize
            });
            if (sizing.reducedFrom !== undefined) parts.warn({ code: "SLOTS_REDUCED", message: `using ${sizing.slots} slots: ${sizing.reason}` });
            const settings: RuntimeSettings = {
                ...requested,
                slots: sizing.slots,
                batchSize: sizing.batchSize,
                ubatchSize: encoderOnly ? sizing.batchSize : Math.min(requested.ubatchSize, sizing.batchSize),
                sizing
            };
            const contextOptions: AddonContextOptions = {
                contextSize: cellsPerSequence * settings.slots,
                batchSize: settings.batchSize,
                ubatchSize: settings.ubatchSize,
                sequences: settings.slots,
                threads: settings.threads,
                kvType: settings.kvType,
                flashAttention: settings.flashAttention,
                unifiedKv: false,
                loras,
                rankPooling: headKind === "rank",
                estimatedBytes: sizing.kvBytes
            };
            const created = await host.createContext(model, contextOptions);
            const context = parts.seams.observeContext?.(created, model, contextOptions) ?? created;
            const encoder = new PairEncoder(tokenizer, builder);
            return new Reranker({ profile, prompt, host, summary, model, context, settings, tokenizer, encoder, scoreTokenTexts, head, encoderOnly });
        } catch (error) {
            await model.dispose().catch(() => undefined);
            throw asTyped(error, (message) => new ModelLoadError(`could not create a llama.cpp context: ${message}`, error));
        }
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
        const { normalize, callbacks } = readScoreOptions(options);
        const scores = await this.scorer.scorePairs(checkPairs(pairs), callbacks);
        return this.normalized(scores, normalize);
    }

    /** Scores passages against one query; best first. */
    async rerank(query: string, passages: string[], options: RerankOptions = {}): Promise<RerankResult[]> {
        this.requireLive();
        expectString("query", query);
        expectArray("passages", passages).forEach((passage, i) => expectString(`passages[${i}]`, passage));
        const { normalize, callbacks } = readScoreOptions(options);
        const topN = options.topN === undefined ? passages.length : expectInteger("topN", options.topN, 0);
        const scores = this.normalized(
            await this.scorer.scorePairs(
                passages.map((passage) => [query, passage] as const),
                callbacks
            ),
            normalize
        );
        return scores
            .map((score, index) => ({ index, score, passage: passages[index]! }))
            .sort((a, b) => b.score - a.score || a.index - b.index)
            .slice(0, topN);
    }

    /**
     * Yields { index, score } as each pair is scored (completion order, not input order). Breaking
     * out of the loop cancels the pairs not yet scored.
     */
    async *scoreStream(pairs: [string, string][], options: ScoreOptions = {}): AsyncGenerator<StreamedScore, void, undefined> {
        this.requireLive();
        const { normalize, callbacks } = readScoreOptions(options);
        const checked = checkPairs(pairs);
        const stop = new AbortController();
        const signal = callbacks.signal ? AbortSignal.any([callbacks.signal, stop.signal]) : stop.signal;
        const ready: StreamedScore[] = [];
        let wake: (() => void) | undefined;
        let finished = false;
        let failure: unknown;
        const work = this.scorer
            .scorePairs(checked, {
                ...callbacks,
                signal,
                onScore: (index, score) => {
                    ready.push({ index, score: this.normalizedScore(score, normalize) });
                    wake?.();
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
        const { callbacks } = readScoreOptions(options);
        const converted = expectArray("sequences", sequences).map((sequence, i) => this.toTokenArray(sequence, i));
        return this.scorer.scoreSequences(converted, callbacks);
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
            placement:
                this.host instanceof LlamaBackend
                    ? describePlacement(this.host.addon, this.model, this.context, this.model.describe().layerCount, this.gpuLayers)
                    : null,
            settings: this.settings,
            caches: { tokens: this.tokenizer.cacheStats, scores: this.scorer.cacheStats },
            engine: { ...this.engine.totals, pendingCalls: this.engine.pendingJobs }
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
        return normalize && this.profile.normalize === "sigmoid" ? scores.map(sigmoid) : scores;
    }

    private normalizedScore(score: number, normalize: boolean): number {
        return normalize && this.profile.normalize === "sigmoid" ? sigmoid(score) : score;
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

// Sequences per encode call on an encoder without KV memory: more costs nothing but a bigger batch.
const encoderSequencesPerCall = 64;

function readScoreHeadOption(value: unknown): "auto" | "logits" | "rank" {
    return value === undefined ? "auto" : expectOneOf("scoreHead", value, ["auto", "logits", "rank"] as const);
}

/** A profile's own marker (e.g. "<s>"), which must be a control token: user text can never produce it. */
function controlTokenId(summary: ModelFileSummary, text: string): number {
    const id = summary.tokens.indexOf(text);
    if (id < 0 || summary.tokenTypes[id] !== 3) throw new UnsupportedModelError(`the vocabulary of ${summary.path} has no "${text}" control token`);
    return id;
}

function createRankPoolingHead(profile: ModelProfile, summary: ModelFileSummary, classifierOutputs: number): ScoreHead {
    const head = summary.rankHead!;
    if (classifierOutputs !== head.outputs)
        throw new UnsupportedModelError(
            `llama.cpp reads ${classifierOutputs} classifier outputs from ${summary.path}, whose cls.output.weight has ${head.outputs}`
        );
    const scoreIndex = profile.score.kind === "rank" ? 0 : head.labels.indexOf(profile.score.token);
    if (scoreIndex < 0)
        throw new UnsupportedModelError(`${summary.path}'s rank head has no "${profile.score.kind === "rank" ? "" : profile.score.token}" label`);
    return new RankPoolingHead(head.outputs, scoreIndex);
}

/** Measured on llvmpipe (test/gpu/vulkan.test.ts's pairs): what FP16 arithmetic costs against F32. */
const fp16ArithmeticCost =
    "Measured on Mesa's llvmpipe against the float64 reference (golden pairs): max error 2.2e-3 (tiny model) and 2.6e-3 (mid) with FP16 arithmetic, against 6.7e-4 and 4.9e-4 in F32. On Vulkan, fp16Arithmetic: false (the default) computes in F32.";

async function loadLora(model: AddonModel, path: string) {
    try {
        return await model.loadLora(path);
    } catch (error) {
        throw asTyped(error, (message) => new ModelLoadError(`llama.cpp could not load the LoRA adapter ${path}: ${message}`, error));
    }
}

/** Our typed errors (a crashed isolated child among them) pass through; anything else is wrapped. */
function asTyped(error: unknown, wrap: (message: string) => Error): Error {
    return isRerankError(error) ? error : wrap((error as Error).message);
}

type IsolationSpawner = (entryPoint: string) => IsolationProcess;

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

function readScoreOptions(options: ScoreOptions): { normalize: boolean; callbacks: ScoringCallbacks } {
    if (!isPlainObject(options)) throw invalidArgument("options", "an object", options);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidArgument("signal", "an AbortSignal", options.signal);
    const onProgress = options.onProgress !== undefined ? expectFunction<(progress: ScoreProgress) => void>("onProgress", options.onProgress) : undefined;
    const onUsage = options.onUsage !== undefined ? expectFunction<(usage: CallUsage) => void>("onUsage", options.onUsage) : undefined;
    return {
        normalize: options.normalize === undefined ? false : expectBoolean("normalize", options.normalize),
        callbacks: { signal: options.signal, onProgress, onUsage }
    };
}
