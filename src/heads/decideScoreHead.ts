import { InvalidArgumentError, UnsupportedModelError } from "../errors/errors.js";
import type { ModelFileSummary } from "../gguf/inspectModelFile.js";
import type { ModelProfile } from "../profiles/ModelProfile.js";

export type ScoreHeadOption = "auto" | "logits" | "rank";

/**
 * Which head scores a file, before llama.cpp sees it (a rank head needs its own kind of context).
 * A rank profile (bert) has only the classifier. A converted Qwen3-Reranker has both: on a tied
 * file they give the same score and "auto" takes the logits, which cost one LM-head row per
 * sequence where rank pooling's embeddings mode computes the LM head for every token (llama.cpp's
 * qwen3 graph always builds it); on an untied file llama.cpp's logits come from token_embd (the
 * converter dropped lm_head), so only the rank head is right.
 */
export function decideScoreHead(summary: ModelFileSummary, profile: ModelProfile, requested: ScoreHeadOption): "logits" | "rank" {
    const head = summary.rankHead;
    if (profile.score.kind === "rank") {
        if (!head) throw new UnsupportedModelError(`${summary.path} has no classifier head (cls.output.weight) for profile ${profile.name}`);
        if (requested === "logits")
            throw new InvalidArgumentError(`profile ${profile.name} reads a classifier head; it has no score tokens for scoreHead "logits"`);
        return "rank";
    }
    if (head && profile.score.kind !== "softmax") {
        // llama.cpp's rank pooling returns the softmax of the head's rows: only a softmax profile reads it
        if (requested === "rank" || head.tiedToEmbeddings === false)
            throw new UnsupportedModelError(
                `${summary.path} has a rank head, whose output (a softmax) is not profile ${profile.name}'s ${profile.score.kind} score${head.tiedToEmbeddings === false ? "; its LM head was dropped in conversion, so the logits are not the model's either" : ""}`
            );
        return "logits";
    }
    if (!head) {
        if (requested === "rank")
            throw new UnsupportedModelError(
                `${summary.path} has no rank head (cls.output.weight with classifier.output_labels); use scoreHead "auto" or "logits"`
            );
        return "logits";
    }
    if (head.tiedToEmbeddings === false) {
        if (requested === "logits")
            throw new UnsupportedModelError(
                `${summary.path} has an untied reranker head: its LM head was dropped in conversion, so llama.cpp's logits come from token_embd and would score wrongly; use scoreHead "rank" or "auto"`
            );
        return "rank";
    }
    return requested === "rank" ? "rank" : "logits";
}
