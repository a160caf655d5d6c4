import type { ModelProfile } from "../profiles/ModelProfile.js";

/** The tokens whose logits a logits head reads; none for a rank profile. */
export function scoredTokenTexts(profile: ModelProfile): string[] {
    if (profile.score.kind === "rank") return [];
    return profile.score.kind === "logit" ? [profile.score.token] : [profile.score.token, profile.score.against];
}

export function sigmoid(value: number): number {
    return 1 / (1 + Math.exp(-value));
}
