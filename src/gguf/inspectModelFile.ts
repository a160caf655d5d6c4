import { InvalidModelFileError } from "../errors/errors.js";
import { checkHyperparameters } from "./checkHyperparameters.js";
import { checkModernBertGraph } from "./checkModernBertGraph.js";
import { checkTensorTypes } from "./checkTensorTypes.js";
import { checkTransformerTensors } from "./checkTransformerTensors.js";
import { checkVocabulary } from "./checkVocabulary.js";
import { GgufValueType } from "./GgufValueType.js";
import type { RankHead } from "./RankHead.js";
import { readRankHead } from "./readRankHead.js";
import { readCheckedGguf } from "./readCheckedGguf.js";
import type { ComputeShape } from "../sizing/sizeContext.js";

export type ModelFileSummary = {
    path: string;
    architecture: string;
    names: string[];
    /** Every tensor's name, in file order (what detectProfile's tensor hints read). */
    tensorNames?: string[];
    tokens: string[];
    /** tokenizer.ggml.model and tokenizer.ggml.pre (undefined when the file has none). */
    tokenizer: { model: string; pre: string | undefined };
    /** tokenizer.ggml.token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
    tokenTypes: number[];
    /** Tensor count per ggml type name, e.g. { F32: 20, F16: 9 }. */
    tensorTypes: Record<string, number>;
    /** The type of the large 2-D weights: what decides the model's precision. */
    weightType: string;
    fileBytes: number;
    /** The classifier head rank pooling reads (bert, converted Qwen3-Reranker), if the file has one. */
    rankHead: RankHead | undefined;
    /** tokenizer.chat_template.rerank, which convert_hf_to_gguf.py writes for Qwen3-Reranker. */
    rerankTemplate: string | undefined;
    /** llama.cpp's n_ctx_train ({arch}.context_length); bert's positions must stay below it. */
    trainContextLength: number;
    /** K and V values one KV cell holds across all layers, from the hyper-parameters (0 if unknown). */
    kvValuesPerCell: number;
    /** The hyper-parameters that size llama.cpp's compute buffer (0 where the file does not say). */
    computeShape: ComputeShape;
    /**
     * One of llm-rerank's own generated models (it has llm_rerank.test_model.* keys): seeded random
     * weights, on which the health check's canaries mean nothing.
     */
    generatedTestModel?: boolean;
};

function computeShape(hparams: Record<string, unknown>, vocabularySize: number): ComputeShape {
    const attention = (hparams.attention ?? {}) as Record<string, unknown>;
    const count = (value: unknown) => (Number.isFinite(Number(value)) ? Number(value) : 0);
    return {
        embeddingLength: count(hparams.embedding_length),
        feedForwardLength: count(hparams.feed_forward_length),
        headCount: count(attention.head_count),
        vocabularySize
    };
}

function kvValuesPerCell(hparams: Record<string, unknown>): number {
    const attention = (hparams.attention ?? {}) as Record<string, unknown>;
    const layers = Number(hparams.block_count ?? 0);
    const kvHeads = Number(attention.head_count_kv ?? attention.head_count ?? 0);
    const keyLength = Number(attention.key_length ?? 0);
    const valueLength = Number(attention.value_length ?? keyLength);
    const values = layers * kvHeads * (keyLength + valueLength);
    return Number.isFinite(values) ? values : 0;
}

/**
 * Checks a model GGUF before llama.cpp sees it: beyond the generic checks, the things that make
 * llama.cpp abort the process instead of failing gracefully — hyper-parameters that divide by zero,
 * tensors whose shapes contradict the hyper-parameters.
 */
export async function inspectModelFile(path: string): Promise<ModelFileSummary> {
    const checked = await readCheckedGguf(path);
    const { info, metadata, fileBytes, tensorTypes, weightType } = checked;
    const general = metadata.general ?? {};
    const architecture = general.architecture;
    if (typeof architecture !== "string") throw new InvalidModelFileError(path, "general.architecture is missing");
    if (general.type === "adapter") throw new InvalidModelFileError(path, "it is a LoRA adapter, not a model; pass it as the lora option");
    const entries = checked.header.entries;
    const tokenList = entries.get("tokenizer.ggml.tokens");
    const typeList = entries.get("tokenizer.ggml.token_type");
    const tokens = tokenList?.elementType === GgufValueType.string ? (tokenList.value as string[]) : [];
    const tokenTypes = typeList?.elementType === GgufValueType.int32 ? (typeList.value as number[]) : [];
    if (tokens.length === 0) throw new InvalidModelFileError(path, "it has no tokenizer vocabulary (tokenizer.ggml.tokens)");
    const tokenizerModel = entries.get("tokenizer.ggml.model")?.value;
    const tokenizerPre = entries.get("tokenizer.ggml.pre")?.value;
    checkVocabulary(path, tokenizerModel, tokens, tokenList?.invalidUtf8);
    // before the tensor-by-tensor check, which walks block_count layers
    checkHyperparameters(path, architecture, entries);
    checkTensorTypes(path, info.tensorInfo);
    checkTransformerTensors(path, architecture, metadata[architecture] ?? {}, info.tensorInfo, tokens.length);
    if (architecture === "modern-bert") checkModernBertGraph(path, (metadata[architecture] ?? {}) as Record<string, unknown>, info.tensorInfo ?? []);
    const rankHead = readRankHead(path, checked, architecture, tokens);
    // node-llama-cpp's reader nests "tokenizer.chat_template.rerank" under chat_template, or keeps
    // it as a flat "chat_template.rerank" key when tokenizer.chat_template is itself a string.
    const tokenizerKeys = (metadata.tokenizer ?? {}) as Record<string, unknown>;
    const nested = tokenizerKeys.chat_template as { rerank?: unknown } | undefined;
    const rerankCandidate = tokenizerKeys["chat_template.rerank"] ?? (typeof nested === "object" ? nested?.rerank : undefined);
    const rerankTemplate = typeof rerankCandidate === "string" ? rerankCandidate : undefined;
    const contextLength = Number((metadata[architecture] as { context_length?: unknown } | undefined)?.context_length ?? 0);

    const names = [general.name, general.basename, general.finetune].filter((name): name is string => typeof name === "string");
    return {
        path,
        architecture,
        names,
        tensorNames: (info.tensorInfo ?? []).map((tensor) => tensor.name),
        tokens,
        tokenizer: { model: tokenizerModel as string, pre: typeof tokenizerPre === "string" ? tokenizerPre : undefined },
        tokenTypes,
        tensorTypes,
        weightType,
        fileBytes,
        rankHead,
        rerankTemplate,
        trainContextLength: Number.isFinite(contextLength) ? contextLength : 0,
        kvValuesPerCell: kvValuesPerCell(metadata[architecture] ?? {}),
        computeShape: computeShape(metadata[architecture] ?? {}, tokens.length),
        generatedTestModel: entries.has("llm_rerank.test_model.seed")
    };
}
