import { InvalidModelFileError } from "../errors/errors.js";
import type { GgufEntry } from "./readGgufHeader.js";

// llama-hparams.h
const maxLayers = 512; // LLAMA_MAX_LAYERS
const maxExperts = 1024; // LLAMA_MAX_EXPERTS
// llama-model.cpp LLAMA_ROPE_SCALING_TYPES
const ropeScalingTypes = ["none", "linear", "yarn", "longrope"];
// enum llama_pooling_type: NONE 0, MEAN 1, CLS 2, LAST 3, RANK 4
const maxPoolingType = 4;

/**
 * The hyper-parameters that llama.cpp 0.4.0 asserts on (GGML_ASSERT aborts the process) instead of
 * refusing the file. A value of the wrong GGUF type is left alone: llama-model-loader.cpp
 * (GKV::get_kv, "key ... has wrong type") throws a catchable error for it.
 */
export function checkHyperparameters(path: string, architecture: string, entries: ReadonlyMap<string, GgufEntry>): void {
    const number = (key: string): number | undefined => {
        const value = entries.get(`${architecture}.${key}`)?.value;
        return typeof value === "number" ? value : undefined;
    };
    const fail = (reason: string): never => {
        throw new InvalidModelFileError(path, reason);
    };

    // llama-model.cpp:1226 load_hparams: GGML_ASSERT(n_layer_all > 0 && n_layer_all <= LLAMA_MAX_LAYERS)
    const layers = number("block_count");
    if (layers !== undefined && !(layers >= 1 && layers <= maxLayers)) fail(`${architecture}.block_count is ${layers}; llama.cpp takes 1 to ${maxLayers}`);
    // llama-model.cpp:1228: GGML_ASSERT(n_layer_nextn <= n_layer_all)
    const nextn = number("nextn_predict_layers");
    if (nextn !== undefined && layers !== undefined && nextn > layers) {
        fail(`${architecture}.nextn_predict_layers is ${nextn}, more than block_count ${layers}`);
    }
    checkExperts(architecture, entries, number, fail);

    // ggml-cpu ops.cpp:3949 (rms_norm_f32) and :3843 (norm_f32): GGML_ASSERT(eps >= 0.0f), at the
    // first decode; NaN fails it too. An infinite epsilon is no model either.
    for (const key of ["attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon"]) {
        const epsilon = number(key);
        if (epsilon !== undefined && !(Number.isFinite(epsilon) && epsilon >= 0))
            fail(`${architecture}.${key} is ${epsilon}; it must be finite and not negative`);
    }

    // llama-model.cpp:1294: GGML_ASSERT(rope_scaling_type_train != LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED)
    const ropeScaling = entries.get(`${architecture}.rope.scaling.type`)?.value;
    if (typeof ropeScaling === "string" && !ropeScalingTypes.includes(ropeScaling)) {
        fail(`${architecture}.rope.scaling.type is ${JSON.stringify(ropeScaling)}; llama.cpp knows ${ropeScalingTypes.join(", ")}`);
    }
    // llama-graph.cpp:3699 build_pooling and llama-context.cpp:1548: GGML_ABORT("unknown pooling type")
    const pooling = number("pooling_type");
    if (pooling !== undefined && pooling > maxPoolingType) fail(`${architecture}.pooling_type is ${pooling}; llama.cpp knows 0 to ${maxPoolingType}`);
}

/** llama-model.cpp:1259-1271, the expert-count asserts of load_hparams. */
function checkExperts(
    architecture: string,
    entries: ReadonlyMap<string, GgufEntry>,
    number: (key: string) => number | undefined,
    fail: (reason: string) => never
): void {
    const experts = number("expert_count") ?? 0;
    // expert_used_count may be one value or one per layer (get_key_or_arr): the maximum counts
    const used = entries.get(`${architecture}.expert_used_count`)?.value;
    const usedMax = typeof used === "number" ? used : Array.isArray(used) ? Math.max(0, ...used.filter((v): v is number => typeof v === "number")) : 0;
    const groups = number("expert_group_count") ?? 0;
    const groupsUsed = number("expert_group_used_count") ?? 0;
    const prefix = `${architecture}.expert`;
    if (experts > maxExperts) fail(`${prefix}_count is ${experts}; llama.cpp takes at most ${maxExperts}`);
    if (usedMax > experts) fail(`${prefix}_used_count ${usedMax} is more than expert_count ${experts}`);
    if (experts > 0) {
        if (usedMax === 0) fail(`${prefix}_count is ${experts} but expert_used_count is 0`);
        if (groups >= experts) fail(`${prefix}_group_count ${groups} is not below expert_count ${experts}`);
        if (groups > 1 && (experts % groups !== 0 || groupsUsed === 0 || groupsUsed >= groups)) {
            fail(`${prefix}_group_count ${groups} and expert_group_used_count ${groupsUsed} do not divide expert_count ${experts} as llama.cpp requires`);
        }
    } else if (groups !== 0) fail(`${prefix}_group_count is ${groups} without experts`);
}

/**
 * Head sizes and RoPE of the decoder-only architectures the library checks tensor by tensor:
 * `headDim` is attention.key_length (default n_embd / n_head), already known to be a positive
 * integer.
 */
export function checkAttentionHeads(path: string, architecture: string, hparams: Record<string, unknown>, headDim: number): void {
    const attention = (hparams.attention ?? {}) as Record<string, unknown>;
    const rope = (hparams.rope ?? {}) as Record<string, unknown>;
    const valueLength = attention.value_length ?? headDim;
    // gemma.cpp reshapes Q (n_embd_head_k per head) by n_embd_head_v, and qwen3.cpp:56 asserts
    // n_embd_head_v == n_embd_head_k: a value head of another size aborts when the graph is built
    if (valueLength !== headDim) {
        throw new InvalidModelFileError(path, `${architecture}.attention.value_length ${String(valueLength)} differs from key_length ${headDim}`);
    }
    const ropeDims = rope.dimension_count ?? headDim;
    // ggml-cpu ops.cpp:6126-6127 (rope): GGML_ASSERT(n_dims <= ne0) and GGML_ASSERT(n_dims % 2 == 0), at the first decode
    if (typeof ropeDims !== "number" || !Number.isInteger(ropeDims) || ropeDims <= 0 || ropeDims % 2 !== 0 || ropeDims > headDim) {
        throw new InvalidModelFileError(
            path,
            `${architecture}.rope.dimension_count is ${String(ropeDims)}; it must be even and at most the head size ${headDim}`
        );
    }
    // qwen3.cpp:57 and qwen2.cpp: GGML_ASSERT(n_embd_head == n_rot)
    if ((architecture === "qwen3" || architecture === "qwen2") && ropeDims !== headDim) {
        throw new InvalidModelFileError(path, `${architecture}.rope.dimension_count ${ropeDims} differs from the head size ${headDim}`);
    }
}
