import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "../errors/errors.js";
import { getProfile } from "./loadProfiles.js";
import type { ModelProfile } from "./ModelProfile.js";
import { validateProfile } from "./validateProfile.js";

/** Profile files are JSON; a `profile` option ending in ".json" names one, anything else a built-in profile. */
export function isProfileFile(profile: string): boolean {
    return /\.json$/i.test(profile);
}

/** The profile a `profile` option names: a user's profile file (read and validated) or a built-in profile. */
export function resolveProfileOption(profile: string): ModelProfile {
    return isProfileFile(profile) ? readProfileFile(profile) : getProfile(profile);
}

/**
 * Reads and validates a profile file (docs/profiles.md). A missing or unreadable file, bad JSON
 * (with its line and column) and a profile that validateProfile refuses throw typed errors that
 * name the file: InvalidArgumentError, or UnsupportedModelError for a format or score kind this
 * version has no builder or head for.
 */
export function readProfileFile(path: string): ModelProfile {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new InvalidArgumentError(
            code === "ENOENT" ? `profile file ${path} does not exist` : `profile file ${path} cannot be read: ${(error as Error).message}`
        );
    }
    let value: unknown;
    try {
        value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
        throw new InvalidArgumentError(`profile file ${path} is not valid JSON: ${withLineAndColumn((error as Error).message, text)}`);
    }
    return validateProfile(value, path);
}

/** V8's JSON errors give a character position; people read lines and columns. */
function withLineAndColumn(message: string, text: string): string {
    const position = /at position (\d+)/.exec(message);
    if (!position) return message;
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `${message} (line ${line}, column ${column})`;
}
