import { isRerankError } from "../errors/errorTransport.js";
import { ModelLoadError, UnsupportedModelError } from "../errors/errors.js";
import { inspectAdapterFile } from "../gguf/inspectAdapterFile.js";
import { inspectModelFile, type ModelFileSummary } from "../gguf/inspectModelFile.js";
import { RankPoolingHead } from "../heads/RankPoolingHead.js";
import type { ScoreHead } from "../heads/ScoreHead.js";
import { TokenLogitsHead } from "../heads/TokenLogitsHead.js";
import { createInputBuilder } from "../input/createInputBuilder.js";
import { PairEncoder } from "../input/PairEncoder.js";
import { controlTokensIn } from "../input/templatePieces.js";
import { relabelledUserDefinedTokens } from "../input/relabelledUserDefinedTokens.js";
import { textSplitRuleFor } from "../input/textSplitRule.js";
import { TextTokenizer } from "../input/TextTokenizer.js";
import { ChildProcessHost } from "../isolation/ChildProcessHost.js";
import { resolveModelSource } from "../model/resolveModelSource.js";
import type { AddonModel, ModelHost } from "../native/AddonTypes.js";
import { InProcessHost } from "../native/InProcessHost.js";
import type { ModelProfile } from "../profiles/ModelProfile.js";
import { readPromptRecord } from "../profiles/PromptRecord.js";
import { resolveProfileOption } from "../profiles/readProfileFile.js";
import { Reranker } from "../Reranker.js";
import { scoredTokenTexts } from "../scoring/combineScore.js";
import { readMemoryBudget } from "../sizing/readMemoryBudget.js";
import { checkWeightsFit } from "../sizing/sizeContext.js";
import { llamaBuildForFile } from "./llamaBuildForFile.js";
import type { LoadSeams } from "./LoadSeams.js";
import { planContext } from "./planContext.js";
import { planModel, type ModelPlan } from "./planModel.js";
import { readLoadOptions, type LoadRequest } from "./readLoadOptions.js";

/**
 * Reranker.load: plan, then act. Every option is checked and the file inspected before anything
 * is downloaded, started or allocated; the host (in this process or a child) is the only door
 * to llama.cpp; what is created is freed again when a later step fails.
 */
export async function openReranker(options: unknown, seams: LoadSeams): Promise<Reranker> {
    const request = readLoadOptions(options); // 1. every option, no I/O
    // a profile file is read and validated before anything is downloaded or started
    const chosenProfile = request.profile !== undefined ? resolveProfileOption(request.profile) : undefined;
    const modelPath = await resolveModelSource(request.model, request.download); // a URI is downloaded (and checked) once
    const summary = await inspectModelFile(modelPath); // bounded reads, never llama.cpp
    if (request.lora !== undefined) await inspectAdapterFile(request.lora, summary.architecture);
    const plan = planModel(
        request,
        summary,
        {
            model: readPromptRecord(modelPath),
            lora: request.lora !== undefined ? readPromptRecord(request.lora) : undefined
        },
        chosenProfile
    ); // 2. profile, head, prompt: pure
    for (const warning of plan.warnings) request.warn(warning);
    const buildChoice = llamaBuildForFile({ asked: request.llamaBuild, gpu: request.gpu, isolated: request.isolation === "process" }, summary.weightType);
    if (buildChoice.warning) request.warn(buildChoice.warning);
    const host = await startHost({ ...request, llamaBuild: buildChoice.build }); // 3. the first native work (or child process)
    seams.observeHost?.(host);
    let reranker: Reranker;
    try {
        const arithmetic = host.description.arithmetic;
        if (arithmetic.mode === "mixed") request.warn({ code: "FP16_ARITHMETIC", message: `${arithmetic.detail} ${fp16ArithmeticCost}` });
        // Free memory is read before the model loads: some drivers (Mesa's llvmpipe) never report
        // what is in use, so the weights are subtracted from this figure, not read back.
        const budget = readMemoryBudget(host.description, await host.readDevices());
        checkWeightsFit(budget, budget.kind === "vram" ? summary.fileBytes : 0);
        reranker = await build(host, request, plan, summary, budget, seams);
    } catch (error) {
        await host.release();
        throw error;
    }
    if (request.healthCheck) await checkHealthAtLoad(reranker, request);
    return reranker;
}

/** 5. The canaries, once (src/health/): findings become warnings; a failure to score them fails the load. */
async function checkHealthAtLoad(reranker: Reranker, request: LoadRequest): Promise<void> {
    try {
        const report = await reranker.runHealthCheck({ atLoad: true });
        for (const finding of report.findings) request.warn(finding);
    } catch (error) {
        await reranker.dispose().catch(() => undefined);
        throw error;
    }
}

function startHost(request: LoadRequest): Promise<ModelHost> {
    const { gpu, llamaBuild: build, fp16Arithmetic } = request;
    return request.isolation === "process"
        ? ChildProcessHost.start({ gpu, build, fp16Arithmetic }, request.isolationProcess)
        : InProcessHost.get(gpu, build, fp16Arithmetic);
}

/** 4. Acts on the plan: model, tokenizer and input builder, then the context sized for them. */
async function build(
    host: ModelHost,
    request: LoadRequest,
    plan: ModelPlan,
    summary: ModelFileSummary,
    budget: ReturnType<typeof readMemoryBudget>,
    seams: LoadSeams
): Promise<Reranker> {
    const gpuLayers = host.description.gpu === false ? 0 : -1;
    let model: AddonModel;
    try {
        model = await host.loadModel(summary.path, gpuLayers);
    } catch (error) {
        throw asTyped(error, (message) => new ModelLoadError(`llama.cpp could not load ${summary.path}: ${message}`, error));
    }
    try {
        const loras = request.lora !== undefined ? [{ adapter: await loadLora(model, request.lora), scale: request.loraScale }] : [];
        const description = model.describe();
        const tokenizer = await TextTokenizer.create(model, {
            cacheEntries: request.tokenCacheSize,
            cacheBytes: request.tokenCacheBytes,
            splitRule: textSplitRuleFor(summary).rule,
            matchHfSpaceRuns: summary.architecture === "gemma",
            userDefinedLiterals: await relabelledUserDefinedTokens(summary, model, description)
        });
        const { profile } = plan;
        const builder = await createInputBuilder(
            tokenizer,
            description.bosToken,
            profile,
            plan.maxLength,
            plan.prompt,
            (text) => controlTokenId(summary, text),
            profile.format === "template" ? controlTokensIn(profile, summary.tokens, summary.tokenTypes) : []
        );
        // FlagEmbedding's yes_loc: the first id of tokenizing the word on its own.
        const texts = plan.headKind === "logits" ? scoredTokenTexts(profile) : [];
        const ids = await Promise.all(texts.map(async (text) => (await tokenizer.tokenize(text))[0]!));
        const head: ScoreHead =
            plan.headKind === "logits"
                ? new TokenLogitsHead(profile, Int32Array.from(ids))
                : createRankPoolingHead(profile, summary, description.classifierOutputs);
        const contextPlan = planContext(request, plan, summary, host.description, budget, builder.maxSequenceLength);
        for (const warning of contextPlan.warnings) request.warn(warning);
        const contextOptions = { ...contextPlan.context, loras };
        const created = await host.createContext(model, contextOptions);
        const placement = await host.readPlacement(model, created, gpuLayers).catch(async (error: unknown) => {
            await created.dispose().catch(() => undefined);
            throw error;
        });
        const context = seams.observeContext?.(created, model, contextOptions) ?? created;
        return Reranker.fromParts({
            profile,
            prompt: plan.prompt,
            host,
            summary,
            model,
            context,
            placement,
            settings: contextPlan.settings,
            tokenizer,
            encoder: new PairEncoder(tokenizer, builder),
            scoreTokenTexts: texts.map((text, i) => ({ text, id: ids[i]! })),
            head,
            encoderOnly: plan.encoderOnly
        });
    } catch (error) {
        await model.dispose().catch(() => undefined);
        throw asTyped(error, (message) => new ModelLoadError(`could not create a llama.cpp context: ${message}`, error));
    }
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

/** Measured on llvmpipe (test/model/gpu/vulkan.test.ts's pairs): what FP16 arithmetic costs against F32. */
const fp16ArithmeticCost =
    "Measured on Mesa's llvmpipe against the float64 reference (golden pairs): max error 2.2e-3 (tiny model) and 2.6e-3 (mid) with FP16 arithmetic, against 6.7e-4 and 4.9e-4 in F32. On Vulkan, fp16Arithmetic: false (the default) computes in F32.";

async function loadLora(model: AddonModel, path: string) {
    try {
        return await model.loadLora(path);
    } catch (error) {
        throw asTyped(error, (message) => new ModelLoadError(`llama.cpp could not load the LoRA adapter ${path}: ${message}`, error));
    }
}

/** Our typed errors (a crashed child among them) pass through; anything else is wrapped. */
function asTyped(error: unknown, wrap: (message: string) => Error): Error {
    return isRerankError(error) ? error : wrap((error as Error).message);
}
