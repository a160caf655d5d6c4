import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { outsideAsar } from "../../src/native/loadAddon.js";
import { testModels } from "../helpers/testModels.js";

describe("finding the native addon", () => {
    it("looks in app.asar.unpacked when the library is packed inside an Electron asar archive", () => {
        expect(outsideAsar("/Applications/App.app/Contents/Resources/app.asar/node_modules/llm-rerank/build/Release/llm_rerank.node")).toBe(
            "/Applications/App.app/Contents/Resources/app.asar.unpacked/node_modules/llm-rerank/build/Release/llm_rerank.node"
        );
        expect(outsideAsar("C:\\app\\resources\\app.asar\\node_modules\\x.node")).toBe("C:\\app\\resources\\app.asar.unpacked\\node_modules\\x.node");
        expect(outsideAsar("/plain/node_modules/llm-rerank/build/Release/llm_rerank.node")).toBe(
            "/plain/node_modules/llm-rerank/build/Release/llm_rerank.node"
        );
    });

    it("fails with an actionable NativeAddonError when LLM_RERANK_ADDON_PATH points nowhere", () => {
        const script = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-addon-")), "load.mjs");
        writeFileSync(
            script,
            `import { Reranker } from ${JSON.stringify(path.resolve("dist/index.js"))};
            try {
                await Reranker.load({ model: ${JSON.stringify(testModels.tiny)}, gpu: false });
                console.log("loaded");
            } catch (error) {
                console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
            }`
        );
        const output = execFileSync(process.execPath, [script], {
            encoding: "utf8",
            env: { ...process.env, LLM_RERANK_ADDON_PATH: "/nonexistent/llm_rerank.node" }
        });
        const error = JSON.parse(output);
        expect(error).toMatchObject({ name: "NativeAddonError", code: "ERR_NATIVE_ADDON" });
        expect(error.message).toMatch(/looked for \/nonexistent\/llm_rerank\.node.*npm run build:addon/);
    });
});
