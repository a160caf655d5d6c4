import { InvalidArgumentError, PromptMismatchError, UnsupportedModelError } from "../errors/errors.js";
import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import { decideScoreHead } from "../heads/decideScoreHead.js";
import { controlTokensIn, templatePieces } from "../input/templatePieces.js";
import { applyRerankTemplate } from "../profiles/applyRerankTemplate.js";
import { checkProfileTokenizer } from "../profiles/checkProfileTokenizer.js";
import { detectProfile, getProfile } from "../profiles/loadProfiles.js";
import type { ModelProfile, TemplateProfile } from "../profiles/ModelProfile.js";
import { isProfileFile } from "../profiles/readProfileFile.js";
import { promptRecordPath, type PromptRecord } from "../profiles/PromptRecord.js";
import type { RerankWarning } from "../RerankerOptions.js";
import { scoredTokenTexts } from "../scoring/combineScore.js";
import type { LoadRequest } from "./readLoadOptions.js";

/** Architectures llama.cpp runs as encoders: no KV memory, every sequence whole in one call. */
const encoderArchitectures = ["bert", "modern-bert"];

/** What a load serves, decided from the options and the file alone. */
export type ModelPlan = {
    /** The profile, with the file's own rerank template where it has a usable one. */
    profile: ModelProfile;
    headKind: "logits" | "rank";
    prompt: string;
    maxLength: number;
    /** An encoder-only model (bert, modern-bert): no KV memory, every sequence whole in one decode. */
    encoderOnly: boolean;
    warnings: RerankWarning[];
};

/** The sidecar prompt records found next to the files (read by the caller: this step does no I/O). */
export type PromptRecords = { model: PromptRecord | undefined; lora: PromptRecord | undefined };

/**
 * Step 2 of a load, after the file is inspected and before any llama.cpp: picks the profile and
 * the head, checks the vocabulary has what they score, and settles the prompt. Pure: `chosen` is
 * the profile the `profile` option names, read beforehand (resolveProfileOption).
 */
export function planModel(request: LoadRequest, summary: ModelFileSummary, records: PromptRecords, chosen?: ModelProfile): ModelPlan {
    const modelPath = summary.path;
    const profile =
        chosen ?? (request.profile !== undefined ? getProfile(request.profile) : detectProfile(summary.architecture, summary.names, summary.tensorNames));
    if (!profile || !profile.architectures.includes(summary.architecture)) {
        throw new UnsupportedModelError(
            `${modelPath} is a "${summary.architecture}" model; ${profile ? `profile ${profile.name} serves ${profile.architectures.join(", ")}` : "no profile serves that architecture"}`
        );
    }
    checkProfileTokenizer(modelPath, profile, summary.tokenizer);
    const headKind = decideScoreHead(summary, profile, request.scoreHead);
    for (const token of headKind === "logits" ? scoredTokenTexts(profile) : []) {
        if (!summary.tokens.includes(token)) {
            throw new UnsupportedModelError(`the vocabulary of ${modelPath} has no "${token}" token, which profile ${profile.name} scores`);
        }
    }
    const warnings: RerankWarning[] = [];
    // An adapter's recorded prompt wins over the base model's: fine-tuning is where it was set.
    const record = records.lora ?? records.model;
    const recordPath = promptRecordPath(records.lora ? request.lora! : modelPath);
    const prompt = request.prompt ?? record?.prompt ?? profile.prompt;
    if (record && record.profile !== profile.name) {
        warnings.push({ code: "PROMPT_MISMATCH", message: `${recordPath} records profile ${record.profile}, but ${profile.name} is in use` });
    }
    if (record && record.prompt !== prompt) {
        const message = `the prompt differs from the one ${recordPath} records for this model: trained with ${JSON.stringify(record.prompt)}, scoring with ${JSON.stringify(prompt)}`;
        if (request.strict) throw new PromptMismatchError(message);
        warnings.push({ code: "PROMPT_MISMATCH", message });
    }
    if (summary.rankHead && summary.rankHead.tiedToEmbeddings === undefined && headKind === "logits") {
        warnings.push({
            code: "UNVERIFIED_RERANK_HEAD",
            message: `${modelPath} carries a reranker head in a quantized type; the library could not check that it matches the output matrix llama.cpp scores with.`
        });
    }
    if (summary.weightType !== "F32") {
        warnings.push({
            code: "LOW_PRECISION_WEIGHTS",
            message:
                `${modelPath} stores its weights as ${summary.weightType}; scores will differ from the F32 model. Convert with --outtype f32 for FlagEmbedding-exact scores.` +
                (summary.weightType === "BF16"
                    ? " BF16 keeps F32's exponent range, so unlike F16 it cannot overflow to Infinity or NaN where F32 does not."
                    : "")
        });
    }
    // llama.cpp pools every modern-bert classifier by the mean of its tokens; HF pools by
    // config.json's classifier_pooling ("cls" by default), which the GGUF does not record.
    const lowerNames = summary.names.map((name) => name.toLowerCase());
    if (summary.architecture === "modern-bert" && !profile.nameHints.some((hint) => lowerNames.some((name) => name.includes(hint)))) {
        warnings.push({
            code: "UNVERIFIED_CLASSIFIER_POOLING",
            message: `${modelPath} is a ModernBERT classifier not named as ${profile.name}; llama.cpp scores it on the mean of its tokens, which is its reference computation only if its config.json has classifier_pooling "mean" (gte-reranker-modernbert-base does; HF's default is "cls"), and the GGUF does not say`
        });
    }
    let templated = profile;
    if (profile.format === "chat-template" && summary.rerankTemplate !== undefined) {
        const fromFile = applyRerankTemplate(profile, summary.rerankTemplate);
        if (fromFile) templated = fromFile;
        else
            warnings.push({
                code: "RERANK_TEMPLATE_IGNORED",
                message: `${modelPath}'s tokenizer.chat_template.rerank has no {query} … {document} user turn; using profile ${profile.name}'s template`
            });
    }
    if (profile.format === "template" && request.prompt !== undefined && request.prompt !== "" && !templateText(profile).includes("{instruction}"))
        throw new InvalidArgumentError(`profile ${profile.name} takes no instruction (its template has no {instruction}): the prompt option does not apply`);
    // A template's pieces need the vocabulary's control tokens: checked here, before any llama.cpp.
    if (profile.format === "template") {
        const source = request.profile !== undefined && isProfileFile(request.profile) ? request.profile : `profile ${profile.name}`;
        templatePieces(profile, prompt, controlTokensIn(profile, summary.tokens, summary.tokenTypes), source);
    }
    return {
        profile: templated,
        headKind,
        prompt,
        maxLength: request.maxLength ?? profile.maxLength,
        encoderOnly: encoderArchitectures.includes(summary.architecture),
        warnings
    };
}

function templateText(profile: TemplateProfile): string {
    return typeof profile.template === "string" ? profile.template : profile.template.join("");
}
