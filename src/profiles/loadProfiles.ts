import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UnsupportedModelError } from "../errors/errors.js";
import type { ModelProfile } from "./ModelProfile.js";

const profilesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "models");
let profiles: ModelProfile[] | undefined;

/** The profiles shipped in models/*.json (one file a family), read once. */
export function listProfiles(): ModelProfile[] {
    profiles ??= readdirSync(profilesDir)
        .filter((file) => file.endsWith(".json") && !file.endsWith(".rerank.json"))
        .sort()
        .map((file) => JSON.parse(readFileSync(path.join(profilesDir, file), "utf8")) as ModelProfile);
    return profiles;
}

export function getProfile(name: string): ModelProfile {
    const profile = listProfiles().find((candidate) => candidate.name === name);
    if (!profile) {
        throw new UnsupportedModelError(
            `unknown profile "${name}"; known profiles: ${listProfiles()
                .map((p) => p.name)
                .join(", ")}`
        );
    }
    return profile;
}

/**
 * Picks the profile for a GGUF: a name hint in general.name/basename wins, then the architecture.
 * Returns undefined when no profile serves the architecture.
 */
export function detectProfile(architecture: string, modelNames: string[]): ModelProfile | undefined {
    const names = modelNames.map((name) => name.toLowerCase());
    const candidates = listProfiles().filter((profile) => profile.architectures.includes(architecture));
    return candidates.find((profile) => profile.nameHints.some((hint) => names.some((name) => name.includes(hint)))) ?? candidates[0];
}
