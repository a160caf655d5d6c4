import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The core (src/index.ts and all it imports) never imports a framework: the adapters are subpath
// exports, and their frameworks optional peer dependencies. Checked on the import graph of the
// sources, and by importing the built core in a Node where the frameworks cannot be resolved.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const frameworks = /^(ai|@ai-sdk\/.*|@langchain\/.*|langchain|@llamaindex\/.*|llamaindex|minisearch)(\/.*)?$/;
const importPattern = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every file reached from `entry` by relative imports, and the bare specifiers they import (type-only imports apart). */
function importGraph(entry: string): { files: Set<string>; packages: Set<string>; typePackages: Set<string> } {
    const files = new Set<string>();
    const packages = new Set<string>();
    const typePackages = new Set<string>();
    const pending = [entry];
    while (pending.length > 0) {
        const file = pending.pop()!;
        if (files.has(file)) continue;
        files.add(file);
        const code = readFileSync(file, "utf8")
            .replace(/\/\*[\s\S]*?\*\//g, "")
            .replace(/^\s*\/\/.*$/gm, "");
        for (const match of code.matchAll(importPattern)) {
            const specifier = match[2] ?? match[3]!;
            const typeOnly = match[1] !== undefined;
            if (specifier.startsWith(".")) {
                const resolved = path.resolve(path.dirname(file), specifier);
                const candidates = file.endsWith(".ts") ? [resolved.replace(/\.js$/, ".ts"), resolved] : [resolved];
                const found = candidates.find((candidate) => existsSync(candidate));
                if (found && !typeOnly) pending.push(found);
            } else (typeOnly ? typePackages : packages).add(specifier);
        }
    }
    return { files, packages, typePackages };
}

const scratch = mkdtempSync(path.join(tmpdir(), "llm-rerank-boundaries-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `code` as an ES module in a Node where importing any framework package fails. */
function runWithoutFrameworks(code: string): string {
    const hooks = path.join(scratch, "hooks.mjs");
    writeFileSync(
        hooks,
        `export async function resolve(specifier, context, next) {
            if (${frameworks}.test(specifier)) throw Object.assign(new Error("framework package imported: " + specifier), { code: "ERR_MODULE_NOT_FOUND" });
            return next(specifier, context);
        }\n`
    );
    const register = path.join(scratch, "register.mjs");
    writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    return execFileSync(process.execPath, ["--import", pathToFileURL(register).href, "--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
}

describe("the core and the framework adapters", () => {
    it("the core's import graph (src/index.ts) reaches no framework package and no adapter", () => {
        const { files, packages } = importGraph(path.join(root, "src", "index.ts"));
        expect(files.size).toBeGreaterThan(20);
        expect([...packages].filter((specifier) => frameworks.test(specifier))).toEqual([]);
        expect([...files].map((file) => path.relative(root, file)).filter((file) => file.startsWith(path.join("src", "adapters")))).toEqual([]);
    });

    it("each adapter imports only its own framework", () => {
        const expectations: [string, RegExp][] = [
            ["ai-sdk.ts", /^$/],
            ["langchain.ts", /^@langchain\/core\//],
            ["llamaindex.ts", /^@llamaindex\/core\//]
        ];
        for (const [file, allowed] of expectations) {
            const { packages, typePackages } = importGraph(path.join(root, "src", "adapters", file));
            const runtimeFrameworks = [...packages].filter((specifier) => frameworks.test(specifier));
            for (const specifier of runtimeFrameworks) expect(specifier).toMatch(allowed);
            if (file === "ai-sdk.ts") expect([...typePackages]).toContain("@ai-sdk/provider");
        }
    });

    it("the built core loads, and the AI SDK adapter too (it imports types only), where no framework can be resolved", () => {
        const output = runWithoutFrameworks(
            `const core = await import("llm-rerank");
             const aiSdk = await import("llm-rerank/ai-sdk");
             let langchain = "loaded";
             try { await import("llm-rerank/langchain"); } catch (error) { langchain = error.message; }
             console.log(JSON.stringify({ core: typeof core.Reranker, aiSdk: typeof aiSdk.createLlmRerank, langchain }));`
        );
        expect(JSON.parse(output)).toEqual({
            core: "function",
            aiSdk: "function",
            langchain: expect.stringMatching(/framework package imported: @langchain\/core/)
        });
    });

    it("package.json exports the adapters from dist/adapters and declares their frameworks optional peers", () => {
        const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
        for (const [subpath, file] of [
            ["./ai-sdk", "ai-sdk"],
            ["./langchain", "langchain"],
            ["./llamaindex", "llamaindex"]
        ]) {
            expect(manifest.exports[subpath!]).toEqual({ types: `./dist/adapters/${file}.d.ts`, import: `./dist/adapters/${file}.js` });
            expect(existsSync(path.join(root, "src", "adapters", `${file}.ts`))).toBe(true);
        }
        for (const name of ["ai", "@ai-sdk/provider", "@langchain/core", "@llamaindex/core"]) {
            expect(manifest.peerDependencies[name]).toBeTypeOf("string");
            expect(manifest.peerDependenciesMeta[name]).toEqual({ optional: true });
            expect(manifest.dependencies[name]).toBeUndefined();
        }
    });
});
