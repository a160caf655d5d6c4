import { describe, expect, it } from "vitest";
import { InvalidArgumentError, PromptMismatchError, UnsupportedModelError } from "../../../src/errors/errors.js";
import type { ModelFileSummary } from "../../../src/gguf/inspectModelFile.js";
import { cpuDefaultKvBytes, planContext } from "../../../src/load/planContext.js";
import { planModel } from "../../../src/load/planModel.js";
import { readLoadOptions } from "../../../src/load/readLoadOptions.js";
import type { HostDescription } from "../../../src/native/HostDescription.js";
import type { MemoryBudget } from "../../../src/sizing/sizeContext.js";
import { closestKey } from "../../../src/utils/checkKnownKeys.js";

// The load's planning steps are pure: these tests run them on a described file and host, with no
// model file, no llama.cpp and no process.

function gemmaSummary(overrides: Partial<ModelFileSummary> = {}): ModelFileSummary {
    return {
        path: "/models/bge-reranker-v2-gemma-f32.gguf",
        architecture: "gemma",
        names: ["bge-reranker-v2-gemma"],
        tokens: ["<pad>", "<eos>", "<bos>", "<unk>", "Yes", "A", ":"],
        tokenizer: { model: "llama", pre: "default" },
        tokenTypes: [3, 3, 3, 2, 1, 1, 1],
        tensorTypes: { F32: 20 },
        weightType: "F32",
        fileBytes: 64 * 2 ** 20,
        rankHead: undefined,
        rerankTemplate: undefined,
        trainContextLength: 8192,
        kvValuesPerCell: 2 * 3 * 256,
        computeShape: { embeddingLength: 256, feedForwardLength: 1024, headCount: 4, vocabularySize: 7 },
        ...overrides
    };
}

const cpuHost = {
    gpu: false,
    binary: false,
    devices: [],
    arithmetic: { mode: "f32", detail: "CPU" },
    build: "prebuilt",
    libllamaPath: "/x/libllama.so",
    blas: null,
    addon: { path: "/x/addon.node", origin: "compiled" },
    cpuMathCores: 6,
    systemInfo: "",
    isolation: "in-process"
} as unknown as HostDescription;

const plenty: MemoryBudget = { kind: "ram", devices: ["system RAM"], freeBytes: 16 * 2 ** 30, totalBytes: 32 * 2 ** 30, source: "test" };
const noRecords = { model: undefined, lora: undefined };

describe("readLoadOptions: every option checked before any I/O", () => {
    it("fills the defaults that need nothing from the machine", () => {
        const request = readLoadOptions({ model: "m.gguf" });
        expect(request).toMatchObject({ isolation: "none", gpu: "auto", llamaBuild: "auto", kvType: "f32", sharePrefix: true, threads: undefined });
    });

    it("refuses an unknown option, naming the closest known one", () => {
        expect(() => readLoadOptions({ model: "m.gguf", theads: 2 })).toThrow(InvalidArgumentError);
        expect(() => readLoadOptions({ model: "m.gguf", theads: 2 })).toThrow(/Unknown option "theads".*did you mean "threads"/);
        expect(() => readLoadOptions({ model: "m.gguf", isolaton: "process" })).toThrow(/did you mean "isolation"/);
        expect(() => readLoadOptions({ model: "m.gguf", frobnicate: true })).toThrow(
            /Unknown option "frobnicate" in Reranker.load options\. Known options: model, /
        );
        expect(() => readLoadOptions({ model: "m.gguf", download: { directry: "/tmp" } })).toThrow(/did you mean "directory"/);
        // undefined counts as absent, as everywhere else in the API
        expect(() => readLoadOptions({ model: "m.gguf", threads: undefined })).not.toThrow();
    });

    it("validates gpu, threads, slots and the rest before anything starts", () => {
        for (const bad of [
            { gpu: "tpu" },
            { gpu: true },
            { threads: 0 },
            { slots: 257 },
            { isolation: "thread" },
            { kvType: "q8" },
            { ubatchSize: 600, batchSize: 512 }
        ]) {
            expect(() => readLoadOptions({ model: "m.gguf", ...bad }), JSON.stringify(bad)).toThrow(InvalidArgumentError);
        }
        expect(() => readLoadOptions({ model: 42 })).toThrow(InvalidArgumentError);
        expect(() => readLoadOptions("m.gguf")).toThrow(InvalidArgumentError);
    });

    it("takes LLM_RERANK_THREADS as the default thread count, below an explicit threads option", () => {
        const saved = process.env.LLM_RERANK_THREADS;
        try {
            process.env.LLM_RERANK_THREADS = "3";
            const request = readLoadOptions({ model: "m.gguf" });
            expect(request.defaultThreads).toBe(3);
            const plan = planModel(request, gemmaSummary(), noRecords);
            expect(planContext(request, plan, gemmaSummary(), cpuHost, plenty, 600).settings.threads).toBe(3);
            const explicit = readLoadOptions({ model: "m.gguf", threads: 2 });
            expect(planContext(explicit, plan, gemmaSummary(), cpuHost, plenty, 600).settings.threads).toBe(2);
            process.env.LLM_RERANK_THREADS = "many";
            expect(() => readLoadOptions({ model: "m.gguf" })).toThrow(/LLM_RERANK_THREADS/);
            delete process.env.LLM_RERANK_THREADS;
            expect(readLoadOptions({ model: "m.gguf" }).defaultThreads).toBeUndefined();
        } finally {
            if (saved === undefined) delete process.env.LLM_RERANK_THREADS;
            else process.env.LLM_RERANK_THREADS = saved;
        }
    });

    it("finds the closest key by edit distance, transpositions included, and nothing when none is close", () => {
        expect(closestKey("overlfow", ["overflow", "normalize"])).toBe("overflow");
        expect(closestKey("topn", ["topN", "signal"])).toBe("topN");
        expect(closestKey("zzz", ["topN", "signal"])).toBeUndefined();
    });
});

describe("planModel: profile, head and prompt from the file alone", () => {
    it("detects the profile and keeps its prompt and budget", () => {
        const plan = planModel(readLoadOptions({ model: "m.gguf" }), gemmaSummary(), noRecords);
        expect(plan).toMatchObject({ headKind: "logits", maxLength: 512, encoderOnly: false, warnings: [] });
        expect(plan.profile.name).toBe("bge-reranker-v2-gemma");
    });

    it("refuses an architecture no profile serves, and a vocabulary without the scored token", () => {
        expect(() => planModel(readLoadOptions({ model: "m.gguf" }), gemmaSummary({ architecture: "mamba" }), noRecords)).toThrow(UnsupportedModelError);
        expect(() => planModel(readLoadOptions({ model: "m.gguf" }), gemmaSummary({ tokens: ["<bos>", "No"] }), noRecords)).toThrow(/no "Yes" token/);
    });

    it("warns on low-precision weights and on a prompt the sidecar contradicts; strict refuses", () => {
        const record = { profile: "bge-reranker-v2-gemma", prompt: "the trained prompt" };
        const plan = planModel(readLoadOptions({ model: "m.gguf", prompt: "another" }), gemmaSummary({ weightType: "F16" }), {
            model: record,
            lora: undefined
        });
        expect(plan.warnings.map((warning) => warning.code)).toEqual(["PROMPT_MISMATCH", "LOW_PRECISION_WEIGHTS"]);
        expect(planModel(readLoadOptions({ model: "m.gguf" }), gemmaSummary(), { model: record, lora: undefined }).prompt).toBe("the trained prompt");
        expect(() =>
            planModel(readLoadOptions({ model: "m.gguf", prompt: "another", strict: true }), gemmaSummary(), { model: record, lora: undefined })
        ).toThrow(PromptMismatchError);
    });
});

describe("planContext: slots, batch and threads from the host's memory", () => {
    const request = readLoadOptions({ model: "m.gguf" });
    const plan = planModel(request, gemmaSummary(), noRecords);

    it("gives a CPU as many slots as fit its default KV budget (4 to 64), a 512-token batch and the host's math cores", () => {
        const { settings, context, warnings } = planContext(request, plan, gemmaSummary(), cpuHost, plenty, 600);
        // 768 cells × 1,536 values × 4 bytes = 4.5 MiB a slot: 64 fit in 512 MiB.
        expect(settings).toMatchObject({ slots: 64, batchSize: 512, ubatchSize: 512, threads: 6, kvType: "f32" });
        // 600 tokens round up to 768 cells a slot (llama.cpp's multiples of 256)
        expect(context).toMatchObject({ contextSize: 64 * 768, sequences: 64, rankPooling: false, unifiedKv: false });
        expect(warnings).toEqual([]);
        // A model whose slot takes 100 MiB: floor(512 / 100) = 5 slots.
        const wide = gemmaSummary({ kvValuesPerCell: (100 * 2 ** 20) / 768 / 4 });
        expect(planContext(request, plan, wide, cpuHost, plenty, 600).settings.slots).toBe(5);
        // One whose slot takes 234 MiB (a 0.6B Qwen3 at 1,024 tokens) keeps at least 4.
        const qwen = gemmaSummary({ kvValuesPerCell: (234 * 2 ** 20) / 768 / 4 });
        expect(planContext(request, plan, qwen, cpuHost, plenty, 600).settings.slots).toBe(4);
        expect(cpuDefaultKvBytes).toBe(512 * 2 ** 20);
    });

    it("reduces slots that do not fit, and says so", () => {
        const tight: MemoryBudget = { ...plenty, freeBytes: 48 * 2 ** 20 };
        const { settings, warnings } = planContext(readLoadOptions({ model: "m.gguf", slots: 64 }), plan, gemmaSummary(), cpuHost, tight, 600);
        expect(settings.slots).toBeLessThan(64);
        expect(warnings.map((warning) => warning.code)).toEqual(["SLOTS_REDUCED"]);
    });

    it("warns that an F16 KV cache moves scores", () => {
        const f16 = readLoadOptions({ model: "m.gguf", kvType: "f16" });
        expect(planContext(f16, plan, gemmaSummary(), cpuHost, plenty, 600).warnings.map((warning) => warning.code)).toEqual(["F16_KV_CACHE"]);
    });
});
