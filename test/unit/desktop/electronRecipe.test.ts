import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../helpers/packedApp.js";

describe("the Electron recipe", () => {
    it("lists in docs/electron.md exactly the unpack globs the asar test packs with", () => {
        const { asarUnpack } = JSON.parse(readFileSync(path.join(repoRoot, "electron", "asarUnpack.json"), "utf8")) as { asarUnpack: string[] };
        const recipe = readFileSync(path.join(repoRoot, "docs", "electron.md"), "utf8");
        const listed = /```json\n(\[[\s\S]*?\])\n```/.exec(recipe);
        expect(JSON.parse(listed![1]!)).toEqual(asarUnpack);
        expect(recipe).toContain('const { asarUnpack } = require("llm-rerank/electron/asarUnpack.json");');
        expect(recipe).toContain('unpack: `{${asarUnpack.join(",")}}`');
    });

    it("ships the globs in the package, where the recipes require them from", () => {
        const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { files: string[]; exports: Record<string, unknown> };
        expect(manifest.files).toContain("electron");
        expect(manifest.exports["./electron/asarUnpack.json"]).toBe("./electron/asarUnpack.json");
    });
});
