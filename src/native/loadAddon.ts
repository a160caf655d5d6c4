import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NativeAddonError } from "../errors/errors.js";
import type { LlmRerankAddon } from "./AddonTypes.js";

const addonFileName = "llm_rerank.node";
let loadedAddon: LlmRerankAddon | undefined;

// Electron packs apps into app.asar, but a .node file can only be loaded from the unpacked copy.
export function outsideAsar(candidate: string): string {
    return candidate.replace(/\.asar([\\/])/, ".asar.unpacked$1");
}

function candidatePaths(): string[] {
    const override = process.env.LLM_RERANK_ADDON_PATH;
    if (override) return [override];
    const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
    return [path.join(packageRoot, "build", "Release", addonFileName), path.join(packageRoot, "build", "Debug", addonFileName)].map(outsideAsar);
}

/** Loads the compiled addon once; LLM_RERANK_ADDON_PATH overrides where it is looked for. */
export function loadAddon(): LlmRerankAddon {
    if (loadedAddon) return loadedAddon;
    const candidates = candidatePaths();
    const found = candidates.find((candidate) => existsSync(candidate));
    if (!found) {
        throw new NativeAddonError(
            `the llm-rerank native addon is not built (looked for ${candidates.join(", ")}). ` +
                "Run `npm run build:addon` in the llm-rerank package, or set LLM_RERANK_ADDON_PATH to the .node file."
        );
    }
    try {
        loadedAddon = createRequire(import.meta.url)(found) as LlmRerankAddon;
    } catch (error) {
        throw new NativeAddonError(`could not load the native addon ${found}: ${(error as Error).message}`, error);
    }
    return loadedAddon;
}
