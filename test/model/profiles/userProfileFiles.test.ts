import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Reranker, UnsupportedModelError } from "../../../src/index.js";
import { bgeRerankerV2Gemma } from "../../../src/profiles/builtin/bgeRerankerV2Gemma.js";
import { qwen3Reranker } from "../../../src/profiles/builtin/qwen3Reranker.js";
import { samplePassages, sampleQuery } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { hfEncode, hfTokenId } from "../../qwen3/modelCardInput.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";
import { logitDifferenceTolerance, scoreTolerance } from "../../qwen3/qwen3Tolerance.js";
import { Qwen3Reference } from "../../reference/qwen3/Qwen3Reference.js";

// The shipped causal profiles, written as users write profile files (docs/profiles.md): the
// generic "template" format must reproduce them token for token and score for score.
const directory = mkdtempSync(path.join(tmpdir(), "llm-rerank-profiles-"));

function writeProfile(name: string, profile: unknown): string {
    const file = path.join(directory, name);
    writeFileSync(file, typeof profile === "string" ? profile : JSON.stringify(profile, null, 2));
    return file;
}

const qwen3File = writeProfile("my-qwen3.json", {
    name: "my-qwen3",
    description: "Qwen3-Reranker as its model card builds the input: prefix + tokenizer(message)[:budget] + suffix.",
    architectures: ["qwen3"],
    nameHints: [],
    format: "template",
    template: [qwen3Reranker.templatePrefix, qwen3Reranker.userTemplate, qwen3Reranker.templateSuffix],
    tokenize: "parts",
    truncation: { budget: "input" },
    textNormalization: "NFC",
    prompt: qwen3Reranker.prompt,
    maxLength: qwen3Reranker.maxLength,
    score: { kind: "softmax", token: "yes", against: "no" },
    normalize: "none"
});

const gemmaFile = writeProfile("my-gemma.json", {
    name: "my-bge-gemma",
    description: "bge-reranker-v2-gemma as FlagEmbedding builds its input.",
    architectures: ["gemma"],
    nameHints: [],
    format: "template",
    template: ["A: {query}", "\n", "B: {document}", "\n", "{instruction}"],
    tokenize: "parts",
    bos: true,
    truncation: { queryShare: 0.75, budget: "query-to-document+tail" },
    prompt: bgeRerankerV2Gemma.prompt,
    maxLength: bgeRerankerV2Gemma.maxLength,
    score: { kind: "logit", token: "Yes" },
    normalize: "sigmoid"
});

const longQuery = "which tides come twice a day and why does the moon pull the water ".repeat(12);
const gemmaPairs: [string, string][] = [
    ...samplePassages.map((passage) => [sampleQuery, passage] as [string, string]),
    [longQuery, samplePassages[2]!.repeat(3)],
    [longQuery, ""],
    ["", samplePassages[0]!]
];

async function compare(model: string, file: string, builtin: string, pairs: [string, string][], options: Record<string, unknown>) {
    const shipped = await Reranker.load({ model, gpu: false, profile: builtin, ...options });
    const user = await Reranker.load({ model, gpu: false, profile: file, ...options });
    try {
        for (const [query, passage] of pairs) expect(await user.buildInput(query, passage)).toEqual(await shipped.buildInput(query, passage));
        const [expected, actual] = [await shipped.score(pairs), await user.score(pairs)];
        expect(actual).toEqual(expected);
        const { profile: userName, ...userDescription } = user.describe();
        const { profile: shippedName, ...shippedDescription } = shipped.describe();
        expect(userName).not.toBe(shippedName);
        expect(userDescription.normalize).toBe(shippedDescription.normalize);
        expect(userDescription.maxLength).toBe(shippedDescription.maxLength);
        // a query that leaves the document no room (the Qwen3 card never cuts the query): both refuse it
        const tooLong: [string, string] = [longQuery.repeat(4), "a document"];
        if (builtin === "qwen3-reranker") {
            await expect(shipped.score([tooLong])).rejects.toThrow(InvalidArgumentError);
            await expect(user.score([tooLong])).rejects.toThrow(InvalidArgumentError);
            expect(await user.score(pairs.slice(0, 1))).toHaveLength(1);
        }
        return actual;
    } finally {
        await Promise.all([shipped.dispose(), user.dispose()]);
    }
}

describe("a shipped profile written as a user's profile file scores bit for bit alike", () => {
    it("qwen3-reranker on the tiny Qwen3 model, maxLength 120 (long documents cut)", async () => {
        const scores = await compare(await ensureQwen3TinyModel(), qwen3File, "qwen3-reranker", qwen3Pairs, { maxLength: 120 });
        expect(new Set(scores).size).toBeGreaterThan(qwen3Pairs.length / 2);
    });

    it("bge-reranker-v2-gemma on the tiny Gemma model, maxLength 64 (query cut to 48 tokens, passages cut)", async () => {
        await compare(testModels.tiny, gemmaFile, "bge-reranker-v2-gemma", gemmaPairs, { maxLength: 64 });
    });
});

describe("malformed profile files get typed errors that name the file and field", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, profile: gemmaFile });
    });
    afterAll(() => reranker?.dispose());

    const base = JSON.parse(JSON.stringify({ ...bgeRerankerV2Gemma }));
    it.each([
        ["a missing file", () => path.join(directory, "absent.json"), InvalidArgumentError, /absent\.json does not exist/],
        ["bad JSON", () => writeProfile("bad.json", '{\n  "name": "x",\n}'), InvalidArgumentError, /bad\.json is not valid JSON.*line 3, column 1/],
        [
            "a misspelt field",
            () => writeProfile("typo.json", { ...base, normalise: "sigmoid" }),
            InvalidArgumentError,
            /typo\.json has unknown field "normalise" \(did you mean "normalize"/
        ],
        ["a wrong type", () => writeProfile("type.json", { ...base, maxLength: "512" }), InvalidArgumentError, /type\.json\.maxLength/],
        ["an unknown score kind", () => writeProfile("kind.json", { ...base, score: { kind: "entropy" } }), UnsupportedModelError, /kind\.json\.score\.kind/],
        [
            "a template without {document}",
            () => writeProfile("nodoc.json", { ...readGemmaProfile(), template: ["A: {query}"] }),
            InvalidArgumentError,
            /nodoc\.json\.template/
        ],
        [
            "a {document} that does not end its part",
            () => writeProfile("docend.json", { ...readGemmaProfile(), template: ["A: {query}", "B: {document} end"] }),
            InvalidArgumentError,
            /docend\.json\.template/
        ],
        [
            "a joined template whose {document} runs on to more text before the next control token",
            () =>
                writeProfile("joined.json", {
                    ...readGemmaProfile(),
                    template: "<bos>A: {query}\nB: {document}\n{instruction}",
                    tokenize: "joined",
                    bos: false
                }),
            InvalidArgumentError,
            /joined\.json\.template: \{document\} must end its run of text/
        ],
        [
            "a template profile for another architecture",
            () => writeProfile("arch.json", { ...readGemmaProfile(), architectures: ["qwen3"] }),
            UnsupportedModelError,
            /profile my-bge-gemma serves qwen3/
        ]
    ])("%s", async (_, file, ErrorClass, message) => {
        const error = await Reranker.load({ model: testModels.tiny, gpu: false, profile: file() }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ErrorClass);
        expect((error as Error).message).toMatch(message);
        // the failed load leaves the loaded reranker working
        expect(await reranker.score([[sampleQuery, samplePassages[0]!]])).toHaveLength(1);
    });

    it("the CLI takes --profile FILE.json: the same scores; a bad file is a usage error that names it", async () => {
        const run = (...args: string[]) =>
            spawnSync(process.execPath, ["dist/cli/cli.js", "rank", "--model", testModels.tiny, "--gpu", "cpu", ...args], { encoding: "utf8" });
        const ranked = run("--profile", gemmaFile, "--query", sampleQuery, "--passage", samplePassages[0]!, "--passage", samplePassages[1]!, "--json");
        expect(ranked.status).toBe(0);
        const { results } = JSON.parse(ranked.stdout) as { results: { index: number; score: number }[] };
        const expected = await reranker.score(samplePassages.slice(0, 2).map((passage) => [sampleQuery, passage] as [string, string]));
        for (const { index, score } of results) expect(score).toBe(expected[index]);
        const bad = run("--profile", writeProfile("cli-typo.json", { ...readGemmaProfile(), tokenise: "parts" }), "--query", "q", "--passage", "p");
        expect(bad.status).not.toBe(0);
        expect(bad.stderr).toMatch(/cli-typo\.json has unknown field "tokenise" \(did you mean "tokenize"/);
    });

    it("reads a name without .json as a built-in profile, and says which exist", async () => {
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, profile: "my-gemma" })).rejects.toThrow(/unknown profile "my-gemma"; known profiles/);
    });
});

function readGemmaProfile(): Record<string, unknown> {
    return JSON.parse(readFileSync(gemmaFile, "utf8")) as Record<string, unknown>;
}

// mxbai-rerank-v2's input, written from mixedbread-ai/mxbai-rerank, mxbai_rerank/mxbai_rerank_v2.py
// (prepare_inputs), apart from the library's code: the docs' mxbai-style profile must build it.
const mxbai = {
    prefix: "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
    suffix: "<|im_end|>\n<|im_start|>assistant\n",
    task: "You are a search relevance expert who evaluates how well documents match search queries. For each query-document pair, carefully analyze the semantic relationship between them, then provide your binary relevance judgment (0 for not relevant, 1 for relevant).\nRelevance:"
};

function mxbaiInput(query: string, document: string, maxLength: number, instruction: string): number[] {
    const queryPrompt = (instruction ? `instruction: ${instruction}\n` : "") + `query: ${query}`;
    const queryIds = hfEncode(queryPrompt).slice(0, Math.floor((maxLength * 3) / 4));
    let second = [...hfEncode("\n"), ...hfEncode(`document: ${document}`).slice(0, maxLength)];
    // prepare_for_model(query, second, truncation="only_second", max_length): HF cuts the second
    // sequence from its end, unless that would take all of it
    const excess = queryIds.length + second.length - maxLength;
    if (excess > 0 && excess < second.length) second = second.slice(0, second.length - excess);
    return [...hfEncode(mxbai.prefix), ...queryIds, ...second, ...hfEncode("\n"), ...hfEncode(mxbai.task), ...hfEncode(mxbai.suffix)];
}

const mxbaiFile = writeProfile("my-mxbai.json", {
    name: "my-mxbai-style",
    description: "mxbai-rerank-v2's input and score (here on the Qwen3 test model, whose tokenizer is Qwen2's BPE).",
    architectures: ["qwen3"],
    nameHints: [],
    format: "template",
    template: [mxbai.prefix, "{instruction}query: {query}", "\n", "document: {document}", "\n", mxbai.task, mxbai.suffix],
    tokenize: "parts",
    instructionTemplate: "instruction: {instruction}\n",
    truncation: { queryShare: 0.75, budget: "query-to-document" },
    prompt: "",
    maxLength: 8192,
    score: { kind: "logit-difference", token: "1", against: "0" },
    normalize: "sigmoid"
});

describe("an mxbai-style profile file builds mxbai_rerank_v2.py's input and scores logit(1) - logit(0)", () => {
    it.each([
        ["no instruction, maxLength 64 (query and document cut)", 64, ""],
        ["an instruction, its default maxLength", 8192, "Find passages about tides"]
    ])("%s", async (_, maxLength, prompt) => {
        const model = await ensureQwen3TinyModel();
        const reranker = await Reranker.load({ model, gpu: false, profile: mxbaiFile, maxLength, prompt });
        try {
            const pairs = gemmaPairs.slice(0, 6).concat(gemmaPairs.slice(-3));
            for (const [query, passage] of pairs) expect(await reranker.buildInput(query, passage)).toEqual(mxbaiInput(query, passage, maxLength, prompt));
            const scores = await reranker.score(pairs);
            const normalized = await reranker.score(pairs, { normalize: true });
            const reference = Qwen3Reference.open(model);
            const [one, zero] = [hfTokenId("1"), hfTokenId("0")];
            for (const [i, [query, passage]] of pairs.entries()) {
                const [l1, l0] = reference.lastLogits(await reranker.buildInput(query, passage), [one, zero]);
                expect(Math.abs(scores[i]! - (l1! - l0!))).toBeLessThan(logitDifferenceTolerance);
                expect(Math.abs(normalized[i]! - 1 / (1 + Math.exp(-(l1! - l0!))))).toBeLessThan(scoreTolerance);
            }
        } finally {
            await reranker.dispose();
        }
    });
});
