import { UnsupportedModelError } from "../errors/errors.js";
import { builtinProfiles } from "./builtin/index.js";
import type { ModelProfile } from "./ModelProfile.js";

/** The profiles built into the library (src/profiles/builtin, one file a family). */
export function listProfiles(): ModelProfile[] {
    return [...builtinProfiles];
}

export function getProfile(name: string): ModelProfile {
    const profile = builtinProfiles.find((candidate) => candidate.name === name);
    if (!profile) {
        throw new UnsupportedModelError(`unknown profile "${name}"; known profiles: ${builtinProfiles.map((p) => p.name).join(", ")}`);
    }
    return profile;
}

/**
 * Picks the profile for a GGUF: a name hint in general.name/basename wins, then a tensor the
 * family alone has, then the architecture's first profile. Returns undefined when no profile
 * serves the architecture.
 */
export function detectProfile(architecture: string, modelNames: string[], tensorNames: readonly string[] = []): ModelProfile | undefined {
    const names = modelNames.map((name) => name.toLowerCase());
    const tensors = new Set(tensorNames);
    const candidates = builtinProfiles.filter((profile) => profile.architectures.includes(architecture));
    return (
        candidates.find((profile) => profile.nameHints.some((hint) => names.some((name) => name.includes(hint)))) ??
        candidates.find((profile) => profile.tensorHints?.some((tensor) => tensors.has(tensor))) ??
        candidates.find((profile) => !profile.tensorHints?.length) ??
        candidates[0]
    );
}
