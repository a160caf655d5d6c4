#!/usr/bin/env node
// @ts-check
// Desktop search over a folder of Markdown files: full-text search (MiniSearch) finds candidate
// sections fast, then llm-rerank reorders the best of them with an LLM reranker.
//
//     npm run example:search -- <folder> <query> [--model M.gguf|hf:…] [--isolation process|none]
//                                [--candidates 20] [--top 5] [--gpu auto|cpu|cuda|metal|vulkan] [--threads N] [--json]
//
// It imports the library by its package name: inside this repository Node resolves "llm-rerank" to
// the package itself (package.json "exports"; `npm install` builds dist/), and an app of your own
// that installs llm-rerank writes the same line.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import MiniSearch from "minisearch";
import { Reranker } from "llm-rerank";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const tinyModel = path.join(repoRoot, "models", "tiny-gemma-f32.gguf");
const usage =
    "usage: npm run example:search -- <folder> <query> [--model M.gguf|hf:user/repo/file.gguf] [--isolation process|none]\n" +
    "                                  [--candidates N] [--top N] [--gpu auto|cpu|cuda|metal|vulkan] [--threads N] [--json]";

const { values: flags, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        model: { type: "string", default: tinyModel },
        isolation: { type: "string", default: "process" },
        candidates: { type: "string", default: "20" },
        top: { type: "string", default: "5" },
        gpu: { type: "string", default: "auto" },
        threads: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false }
    }
});
if (flags.help || positionals.length < 2) {
    console.error(usage);
    process.exit(flags.help ? 0 : 2);
}
const [folder, ...queryWords] = positionals;
const query = queryWords.join(" ");
const isolation =
    flags.isolation === "none" ? "none" : flags.isolation === "process" ? "process" : fail(`--isolation: process or none, not ${flags.isolation}`);
const candidateCount = positiveInteger("--candidates", flags.candidates);
const topN = positiveInteger("--top", flags.top);

// 1. Index: every Markdown file under the folder, one document per section (a heading and its text).
const sections = markdownFiles(folder)
    .flatMap((file) => splitSections(path.relative(folder, file), readFileSync(file, "utf8")))
    .map((section, id) => ({ id, ...section }));
const search = new MiniSearch({ fields: ["heading", "text"], storeFields: ["file", "heading", "text"] });
search.addAll(sections);

// 2. Full-text search: the candidates, in MiniSearch's (BM25) order.
const hits = search.search(query, { prefix: true, fuzzy: 0.2, boost: { heading: 2 } }).slice(0, candidateCount);
if (hits.length === 0) {
    console.error(`No section of ${sections.length} in ${folder} matches ${JSON.stringify(query)}.`);
    process.exit(1);
}
const candidates = hits.map((hit) => sections[hit.id]);

// 3. Rerank the candidates with the LLM reranker, llama.cpp in a child process (--isolation process),
//    a progress bar on stderr while it scores.
if (flags.model === tinyModel && !flags.json)
    console.error("Note: the default model is the repository's tiny test model, with random weights: its ranking means nothing. Pass --model for a real one.");
const reranker = await Reranker.load({
    model: flags.model,
    isolation,
    gpu: flags.gpu === "cpu" ? false : /** @type {"auto" | "cuda" | "metal" | "vulkan"} */ (flags.gpu),
    ...(flags.threads ? { threads: positiveInteger("--threads", flags.threads) } : {}),
    onWarning: (warning) => console.error(`warning: ${warning.message}`)
});
const bar = progressBar(`Reranking ${candidates.length} sections`);
let ranked;
try {
    ranked = await reranker.rerank(
        query,
        candidates.map((section) => section.text),
        { topN, normalize: true, onProgress: bar.update }
    );
} finally {
    bar.done();
    await reranker.dispose();
}

// 4. Show the result.
const results = ranked.map(({ index, score }, rank) => ({
    rank: rank + 1,
    score,
    searchRank: index + 1,
    file: candidates[index].file,
    heading: candidates[index].heading
}));
if (flags.json) {
    console.log(JSON.stringify({ query, folder, model: path.basename(flags.model), isolation, sections: sections.length, candidates, results }, null, 2));
} else {
    console.log(`${sections.length} sections indexed; ${candidates.length} found by full-text search; reranked by ${path.basename(flags.model)}:\n`);
    for (const result of results) {
        console.log(
            `${String(result.rank).padStart(2)}. ${result.score.toFixed(4)}  ${result.file} › ${result.heading}  (full-text rank ${result.searchRank})`
        );
        console.log(`    ${snippet(candidates[result.searchRank - 1].text)}`);
    }
}

/** Every .md file under the folder, in a stable order. @param {string} folder @returns {string[]} */
function markdownFiles(folder) {
    return readdirSync(folder, { withFileTypes: true })
        .flatMap((entry) => {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : markdownFiles(full);
            return entry.isFile() && entry.name.toLowerCase().endsWith(".md") ? [full] : [];
        })
        .sort();
}

/**
 * A file's sections: each heading with the text under it (headings inside code fences do not count).
 * @param {string} file @param {string} markdown
 * @returns {{ file: string, heading: string, text: string }[]}
 */
function splitSections(file, markdown) {
    /** @type {{ heading: string, lines: string[] }[]} */
    const parts = [{ heading: path.basename(file), lines: [] }];
    let inFence = false;
    for (const line of markdown.split(/\r?\n/)) {
        if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
        const heading = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
        if (heading) parts.push({ heading: heading[1].trim(), lines: [line] });
        else parts[parts.length - 1].lines.push(line);
    }
    return parts
        .map(({ heading, lines }) => ({ heading, text: lines.join("\n").trim() }))
        .filter(({ text }) => text !== "")
        .map(({ heading, text }) => ({ file, heading, text }));
}

/** A bar on stderr when it is a terminal; nothing in a pipe or a log. @param {string} label */
function progressBar(label) {
    const stream = process.stderr;
    let drawn = false;
    return {
        /** @param {{ done: number, total: number }} progress */
        update: ({ done, total }) => {
            if (!stream.isTTY) return;
            const width = 30;
            const filled = total === 0 ? width : Math.round((done / total) * width);
            stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
            drawn = true;
        },
        done: () => {
            if (drawn) stream.write("\r\x1b[2K");
        }
    };
}

/** @param {string} text */
function snippet(text) {
    const flat = text
        .replace(/^#+\s+.*$/m, "")
        .replace(/\s+/g, " ")
        .trim();
    return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** @param {string} name @param {string} value */
function positiveInteger(name, value) {
    const number = Number(value);
    return Number.isInteger(number) && number > 0 ? number : fail(`${name}: a positive integer, not ${value}`);
}

/** @param {string} message @returns {never} */
function fail(message) {
    console.error(`${message}\n${usage}`);
    process.exit(2);
}
