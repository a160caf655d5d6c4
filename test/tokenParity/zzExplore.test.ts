import { it } from "vitest";
import { Reranker } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";
import { flagEmbeddingDefaults, flagEmbeddingInput, hfEncode } from "../reference/flagEmbeddingInput.js";

it("explore", async () => {
    const r = await Reranker.load({ model: testModels.tiny, gpu: false });
    const settings = { maxLength: 512, prompt: flagEmbeddingDefaults.prompt };
    const same = (p: string, ourP = p) => JSON.stringify(r.buildInput("q", ourP)) === JSON.stringify(flagEmbeddingInput("q", p, settings));
    const show = (p: string) => { const o = r.buildInput("q", p); const h = flagEmbeddingInput("q", p, settings); return [JSON.stringify(o.slice(8, o.length - 37)), JSON.stringify(h.slice(8, h.length - 37))]; };
    for (const [name, make] of [["x_n_y", (n: number) => "x" + " ".repeat(n) + "y"], ["n alone", (n: number) => " ".repeat(n)], ["nl+n+y", (n: number) => "x\n" + " ".repeat(n) + "y"], ["x+n", (n: number) => "x" + " ".repeat(n)], ["tab", (n: number) => "x\t" + " ".repeat(n) + "y"], ["block x_n_y", (n: number) => "x" + "\u2581".repeat(n) + "y"], ["nbsp", (n: number) => "x" + "\u00a0".repeat(n) + "y"], ["tabs", (n: number) => "x" + "\t".repeat(n) + "y"], ["nl", (n: number) => "x" + "\n".repeat(n) + "y"], ["crlf", (n: number) => "x" + "\r\n".repeat(n) + "y"]] as const) {
        const bad: number[] = [];
        for (let n = 1; n <= 100; n++) if (!same(make(n))) bad.push(n);
        console.log(name, "diverging n:", JSON.stringify(bad));
        if (bad.length) console.log("  e.g.", bad[0], show(make(bad[0]!)));
    }
    // would mapping U+2581 to a space before llama.cpp tokenizes fix the block cases?
    const blockBad: number[] = [];
    for (let n = 1; n <= 31; n++) { const p = "x" + "\u2581".repeat(n) + "y"; if (!same(p, p.replaceAll("\u2581", " "))) blockBad.push(n); }
    console.log("block with replacement diverging:", JSON.stringify(blockBad));
    for (const p of ["\u2581leading block", "x\u2581\u2581y double block", "literal\u2581lower\u2581one", "a \u2581 b", "\u2581\u2582\u2583\u2585\u2587 sparkline", "  \u2581\u2581  "]) console.log(JSON.stringify(p), same(p), same(p, p.replaceAll("\u2581", " ")));
    await r.dispose();
});
