import type { ModelProfile } from "../profiles/ModelProfile.js";

export function scoredTokenTexts(profile: ModelProfile): string[] {
    return profile.score.kind === "softmax" ? [profile.score.token, profile.score.against] : [profile.score.token];
}

export function sigmoid(value: number): number {
    return 1 / (1 + Math.exp(-value));
}
