import type { ParseArgsConfig } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import type { ScoreOptions } from "../RerankerOptions.js";
import { integerFlag } from "./commonOptions.js";

/** `--overflow truncate|max-window [--window-tokens N] [--window-overlap N]` (docs/long-documents.md). */
export const overflowFlags = {
    overflow: { type: "string" },
    "window-tokens": { type: "string" },
    "window-overlap": { type: "string" }
} satisfies ParseArgsConfig["options"];

/** The call options the flags ask for; checked here by name, and by the library for what they mean together. */
export function overflowOptionsFrom(values: Record<string, unknown>): Pick<ScoreOptions, "overflow" | "windowTokens" | "windowOverlap"> {
    const overflow = values.overflow;
    if (overflow !== undefined && overflow !== "truncate" && overflow !== "max-window") {
        throw new InvalidArgumentError(`--overflow expects truncate or max-window, got ${String(overflow)}`);
    }
    const windowTokens = integerFlag(values as Parameters<typeof integerFlag>[0], "window-tokens");
    const windowOverlap = integerFlag(values as Parameters<typeof integerFlag>[0], "window-overlap");
    // Checked before the model loads; the library checks the rest (a size that does not fit) per call.
    if (windowTokens !== undefined && windowOverlap !== undefined && windowOverlap >= windowTokens) {
        throw new InvalidArgumentError(`--window-overlap ${windowOverlap} must be less than --window-tokens ${windowTokens}`);
    }
    return {
        ...(overflow !== undefined ? { overflow } : {}),
        ...(windowTokens !== undefined ? { windowTokens } : {}),
        ...(windowOverlap !== undefined ? { windowOverlap } : {})
    };
}
