/**
 * How a model family turns (query, passage) into tokens and a score. The prompt is part of the
 * model: scoring with another prompt than the one it was trained with silently ruins the scores,
 * so it lives here, next to the format, and not in application code.
 */
export type FlagEmbeddingProfile = {
    name: string;
    description: string;
    /** llama.cpp architectures (general.architecture) this profile serves. */
    architectures: string[];
    /** Lower-case fragments of general.name / general.basename that identify the family. */
    nameHints: string[];
    format: "flag-embedding";
    queryPrefix: string;
    passagePrefix: string;
    separator: string;
    prompt: string;
    maxLength: number;
    /** The score is the raw logit of this token at the last position (FlagEmbedding's yes_loc). */
    score: { kind: "logit"; token: string };
    normalize: "sigmoid";
};

export type ModelProfile = FlagEmbeddingProfile;
