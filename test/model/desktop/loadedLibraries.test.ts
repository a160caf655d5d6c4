import { readFileSync, realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { loadAddon } from "../../../src/native/loadAddon.js";
import { testModels } from "../../helpers/testModels.js";

const sharedObject = /\.(so(\.\d+)*|node)$/;

// The kernel's own list of what is mapped, independent of the dynamic loader the addon asks.
function mappedSharedObjects(): Set<string> {
    const files = readFileSync("/proc/self/maps", "utf8")
        .split("\n")
        .map((line) => line.split(/\s+/)[5] ?? "")
        .filter((file) => sharedObject.test(file));
    return new Set(files);
}

describe.skipIf(process.platform !== "linux")("the libraries the dynamic loader reports (dl_iterate_phdr)", () => {
    it("are the shared objects the kernel has mapped, libllama and our addon among them", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        try {
            const reported = loadAddon().loadedLibraries();
            const mapped = mappedSharedObjects();
            // The loader names a library as it was found (/lib64/ld-linux-x86-64.so.2, a symlink);
            // the kernel names the file behind it.
            expect(new Set(reported.map((file) => realpathSync(file)).filter((file) => sharedObject.test(file)))).toEqual(mapped);
            expect(reported).toContain(reranker.describe().backend.libllamaPath);
            expect(reported).toContain(reranker.describe().backend.addon.path);
        } finally {
            await reranker.dispose();
        }
    });
});
