import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnsupportedModelError } from "../../src/errors/errors.js";
import { listProfiles } from "../../src/index.js";
import { builtinProfiles } from "../../src/profiles/builtin/index.js";
import { detectProfile, getProfile } from "../../src/profiles/loadProfiles.js";
import type { ModelProfile } from "../../src/profiles/ModelProfile.js";
import { validateProfile } from "../../src/profiles/validateProfile.js";

// Profiles are typed data in src/profiles/builtin (the build checks their types); validateProfile
// checks what types cannot, and is the check a user's profile file will go through.
const gemma = getProfile("bge-reranker-v2-gemma");

function withField(profile: ModelProfile, field: string, value: unknown): unknown {
    const copy = structuredClone(profile) as unknown as Record<string, unknown>;
    const [head, tail] = field.split(".");
    if (tail !== undefined) (copy[head!] as Record<string, unknown>)[tail] = value;
    else if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
}

function failure(value: unknown, source?: string): Error {
    try {
        validateProfile(value, source);
    } catch (error) {
        return error as Error;
    }
    throw new Error("validateProfile accepted it");
}

describe("the built-in profiles", () => {
    it.each(builtinProfiles.map((profile) => [profile.name, profile] as const))("%s passes validateProfile", (_, profile) => {
        expect(validateProfile(profile)).toBe(profile);
        // JSON-clean data: what a user's profile file can hold too
        expect(validateProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    });

    it("are listed by name, once each, and found by name and by architecture", () => {
        const names = listProfiles().map((profile) => profile.name);
        expect(names).toEqual([
            "bge-reranker-v2-gemma",
            "bge-reranker-v2-m3",
            "gte-reranker-modernbert",
            "jina-reranker-v2",
            "mxbai-rerank-v2",
            "qwen3-reranker",
            "zerank"
        ]);
        expect(new Set(names).size).toBe(names.length);
        expect(getProfile("qwen3-reranker").format).toBe("chat-template");
        expect(detectProfile("gemma", ["some gemma"])?.name).toBe("bge-reranker-v2-gemma");
        expect(detectProfile("bert", ["bge-reranker-v2-m3"])?.name).toBe("bge-reranker-v2-m3");
        // the converter's general.name (the model's directory) and general.basename of both sizes
        for (const names of [
            ["mxbai-rerank-base-v2", "mxbai-rerank-base"],
            ["Mxbai Rerank Large V2", "mxbai-rerank"]
        ])
            expect(detectProfile("qwen2", names)?.name).toBe("mxbai-rerank-v2");
        // the name alone does not pick it: mxbai-rerank-base-v1 is a DeBERTa-v2 (llama.cpp serves none)
        expect(detectProfile("deberta-v2", ["mxbai-rerank-base-v1"])).toBeUndefined();
        expect(detectProfile("llama", [])).toBeUndefined();
        // two bert families: the name decides, then jina-reranker-v2's fused QKV tensor, then bge
        const fused = ["token_embd.weight", "blk.0.attn_qkv.weight"];
        const separate = ["token_embd.weight", "blk.0.attn_q.weight"];
        expect(detectProfile("bert", ["Jina Reranker V2 Base Multilingual", "jina-reranker-v2-base-multilingual"])?.name).toBe("jina-reranker-v2");
        expect(detectProfile("bert", ["some bert"], fused)?.name).toBe("jina-reranker-v2");
        expect(detectProfile("bert", ["some bert"], separate)?.name).toBe("bge-reranker-v2-m3");
        expect(detectProfile("bert", [])?.name).toBe("bge-reranker-v2-m3");
        expect(detectProfile("bert", ["bge-reranker-v2-m3"], fused)?.name).toBe("bge-reranker-v2-m3");
        expect(() => getProfile("nope")).toThrow(UnsupportedModelError);
    });

    it("cannot be changed through listProfiles", () => {
        const listed = listProfiles();
        listed.pop();
        expect(listProfiles()).toHaveLength(builtinProfiles.length);
    });
});

describe("validateProfile names the field that is wrong", () => {
    it.each([
        ["name", 7, /profile\.name/],
        ["name", "", /profile\.name/],
        ["description", undefined, /\.description/],
        ["architectures", [], /\.architectures/],
        ["architectures", ["gemma", 3], /\.architectures\[1\]/],
        ["tokenizerModels", "llama", /\.tokenizerModels/],
        ["nameHints", ["BGE-Reranker"], /lower-case.*\.nameHints\[0\]/],
        ["prompt", null, /\.prompt/],
        ["maxLength", 0, /\.maxLength/],
        ["maxLength", 1.5, /\.maxLength/],
        ["normalize", "softmax", /\.normalize/],
        ["score", "Yes", /\.score\b/],
        ["score.token", "", /\.score\.token/],
        ["queryPrefix", undefined, /\.queryPrefix/],
        ["separator", 10, /\.separator/]
    ] as const)("%s = %j: an InvalidArgumentError", (field, value, message) => {
        const error = failure(withField(gemma, field, value));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
    });

    it("names the profile, or the file it came from", () => {
        expect(failure(withField(gemma, "maxLength", -1)).message).toContain('profile "bge-reranker-v2-gemma".maxLength');
        expect(failure(withField(gemma, "maxLength", -1), "my-profile.json").message).toContain("my-profile.json.maxLength");
        expect(failure(null).message).toMatch(/profile/);
        expect(failure(null)).toBeInstanceOf(InvalidArgumentError);
    });

    it("refuses a format or score kind the library cannot run with an UnsupportedModelError", () => {
        const format = failure(withField(gemma, "format", "colbert"));
        expect(format).toBeInstanceOf(UnsupportedModelError);
        expect(format.message).toMatch(/\.format is "colbert"/);
        const kind = failure(withField(gemma, "score", { kind: "probability", token: "Yes" }));
        expect(kind).toBeInstanceOf(UnsupportedModelError);
        expect(kind.message).toMatch(/\.score\.kind/);
    });

    it("checks each format's own fields", () => {
        const qwen3 = getProfile("qwen3-reranker");
        expect(failure(withField(qwen3, "userTemplate", "{query} {document}")).message).toMatch(/\.userTemplate/);
        expect(failure(withField(qwen3, "userTemplate", "{instruction} {document} {query}")).message).toMatch(/\.userTemplate/);
        expect(failure(withField(qwen3, "textNormalization", "NFKC")).message).toMatch(/\.textNormalization/);
        expect(failure(withField(qwen3, "score", { kind: "softmax", token: "yes", against: "yes" })).message).toMatch(/\.score\.against/);
        const m3 = getProfile("bge-reranker-v2-m3");
        expect(failure(withField(m3, "pairSeparator", ["</s>", ""])).message).toMatch(/\.pairSeparator\[1\]/);
        expect(failure(withField(m3, "endToken", undefined)).message).toMatch(/\.endToken/);
    });

    it("refuses unknown fields, usually misspelt ones", () => {
        const error = failure({ ...gemma, queryPrefx: "A: " });
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(/unknown field "queryPrefx"/);
        // a field of another format is unknown to this one
        expect(failure({ ...gemma, userTemplate: "{instruction}{query}{document}" }).message).toMatch(/"userTemplate"/);
        expect(failure(withField(gemma, "score", { kind: "logit", token: "Yes", against: "No" })).message).toMatch(/score has unknown field "against"/);
    });
});

describe("zerank and qwen3-reranker share the qwen3 architecture: general.name / basename decide", () => {
    it.each([
        [["zerank-1-small"], "zerank"],
        [["Zerank 2", "zerank"], "zerank"],
        [["Qwen3 Reranker 0.6B", "Qwen3-Reranker"], "qwen3-reranker"],
        [["Qwen3 0.6B"], "qwen3-reranker"],
        // no name at all: the architecture's first profile, qwen3-reranker; load zerank with profile: "zerank"
        [[], "qwen3-reranker"]
    ])("%j: %s", (names, expected) => {
        expect(detectProfile("qwen3", names)?.name).toBe(expected);
    });
});

describe("the template format's own fields", () => {
    const template = getProfile("zerank");
    const parts = { ...template, template: ["A: {query}", "\n", "B: {document}"], tokenize: "parts" };

    it.each([
        ["template", "{document} {query}", /\{query\} before \{document\}.*\.template/],
        ["template", "{query}", /exactly one \{document\}.*\.template/],
        ["template", "{query}{query}{document}", /exactly one \{query\}.*\.template/],
        ["template", [], /\.template/],
        ["tokenize", "whole", /\.tokenize/],
        ["bos", "yes", /\.bos/],
        ["truncation", undefined, /\.truncation/],
        ["truncation", { budget: "all" }, /\.truncation\.budget/],
        ["truncation", { budget: "input", queryShare: 0 }, /\.truncation\.queryShare/],
        ["truncation", { budget: "input", querySahre: 0.5 }, /truncation has unknown field "querySahre" \(did you mean "queryShare"/],
        ["maxCharacters", { query: 0 }, /\.maxCharacters\.query/],
        ["maxCharacters", { docs: 5 }, /maxCharacters has unknown field "docs"/],
        ["stripWhitespace", 1, /\.stripWhitespace/],
        ["instructionTemplate", "instruction: {instruction}", /no \{instruction\}.*\.instructionTemplate/],
        ["temperature", 0, /\.temperature/]
    ] as const)("%s = %j: an InvalidArgumentError", (field, value, message) => {
        const error = failure(withField(template, field, value));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
    });

    it("in parts, {document} ends its part; a temperature needs the sigmoid; a template has no rank score", () => {
        expect(validateProfile(parts)).toBe(parts);
        expect(failure({ ...parts, template: ["A: {query}", "B: {document}!"] }).message).toMatch(/ends with it/);
        expect(failure({ ...template, normalize: "none" }).message).toMatch(/\.temperature/);
        expect(failure({ ...template, score: { kind: "rank" } }).message).toMatch(/\.score\.kind/);
        expect(validateProfile({ ...template, score: { kind: "logit-difference", token: "1", against: "0" } })).toBeTruthy();
        expect(failure({ ...template, score: { kind: "logit-difference", token: "1" } }).message).toMatch(/\.score\.against/);
    });

    it("points a misspelt top-level field at its closest name", () => {
        expect(failure({ ...template, tokenise: "joined" }, "mine.json").message).toMatch(/mine\.json has unknown field "tokenise" \(did you mean "tokenize"/);
    });
});

describe("docs/profiles.md", () => {
    it("shows profile files that validateProfile accepts", () => {
        const docs = readFileSync(new URL("../../docs/profiles.md", import.meta.url), "utf8");
        const examples = [...docs.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as unknown);
        expect(examples.length).toBeGreaterThanOrEqual(2);
        for (const example of examples) expect(validateProfile(example, "docs example")).toBe(example);
    });
});
