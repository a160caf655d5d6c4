import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NativeAddonError } from "../errors/errors.js";
import type { LlmRerankAddon } from "./AddonTypes.js";

/** Which addon binary was loaded, and why that one. */
export type AddonBinary = {
    path: string;
    /**
     * "prebuilt": shipped in the package under prebuilds/<platform>-<arch>/ (no compiler needed);
     * "compiled": built on this machine into build/ (a fresh clone, or no prebuilt matched);
     * "override": the file LLM_RERANK_ADDON_PATH names.
     */
    origin: "prebuilt" | "compiled" | "override";
};

type NodeGypBuild = { resolve(packageRoot: string): string };

const nativeRequire = createRequire(import.meta.url);
let loaded: { addon: LlmRerankAddon; binary: AddonBinary } | undefined;

// Electron packs apps into app.asar, but a .node file can only be loaded from the unpacked copy.
export function outsideAsar(candidate: string): string {
    return candidate.replace(/\.asar([\\/])/, ".asar.unpacked$1");
}

/** The package root the addon is looked for under: outside the asar archive in a packed app. */
export function addonPackageRoot(): string {
    return outsideAsar(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."));
}

function missingAddonError(packageRoot: string, cause: unknown): NativeAddonError {
    const tried = [path.join(packageRoot, "build", "Release"), path.join(packageRoot, "prebuilds", `${process.platform}-${process.arch}`)];
    const inAsar = /\.asar\.unpacked[\\/]/.test(packageRoot);
    const remedy = inAsar
        ? "The app's asar archive must unpack the addon: add llm-rerank's globs (llm-rerank/electron/asarUnpack.json) to asarUnpack (electron-builder) or packagerConfig.asar.unpack (Forge)."
        : "Reinstall llm-rerank (`npm rebuild llm-rerank` compiles it when no prebuilt binary matches), or set LLM_RERANK_ADDON_PATH to the .node file.";
    return new NativeAddonError(`the llm-rerank native addon was not found (looked for a .node file in ${tried.join(" and ")}). ${remedy}`, cause);
}

function findAddonBinary(): AddonBinary {
    const override = process.env.LLM_RERANK_ADDON_PATH;
    if (override) {
        if (!existsSync(override)) {
            throw new NativeAddonError(
                `the llm-rerank native addon is not built (looked for ${override}, from LLM_RERANK_ADDON_PATH). ` +
                    "Run `npm run build:addon` in the llm-rerank package, or point LLM_RERANK_ADDON_PATH at the .node file."
            );
        }
        return { path: override, origin: "override" };
    }
    const packageRoot = addonPackageRoot();
    let found: string;
    try {
        // node-gyp-build's own choice: build/Release (a local compile) first, then the prebuilt
        // binary that matches platform, arch, libc and Node-API.
        found = (nativeRequire("node-gyp-build/node-gyp-build.js") as NodeGypBuild).resolve(packageRoot);
    } catch (error) {
        throw missingAddonError(packageRoot, error);
    }
    const prebuilds = path.join(packageRoot, "prebuilds") + path.sep;
    return { path: found, origin: found.startsWith(prebuilds) ? "prebuilt" : "compiled" };
}

/** Loads the addon once; LLM_RERANK_ADDON_PATH overrides where it is looked for. */
export function loadAddon(): LlmRerankAddon {
    if (loaded) return loaded.addon;
    const binary = findAddonBinary();
    try {
        loaded = { addon: nativeRequire(binary.path) as LlmRerankAddon, binary };
    } catch (error) {
        throw new NativeAddonError(`could not load the native addon ${binary.path}: ${(error as Error).message}`, error);
    }
    return loaded.addon;
}

/** The binary loadAddon() loaded, for describe(); loads it if needed. */
export function loadedAddonBinary(): AddonBinary {
    loadAddon();
    return loaded!.binary;
}
