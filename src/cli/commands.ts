import { stderrProgress } from "./progressBar.js";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import { givenString, integerFlag, requiredString, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";
import { overflowFlags, overflowOptionsFrom } from "./overflowOptions.js";
import { benchCommand } from "./benchCommand.js";
import { buildLlamaCommand } from "./buildLlamaCommand.js";
import { benchPeerCommand } from "./benchPeerCommand.js";
import { pullCommand } from "./pullCommand.js";
import { checkCommand } from "./checkCommand.js";
import { exportTrainCommand, profileCommand } from "./profileCommands.js";
import { readPairs, readPassages } from "./readPassages.js";
import { serveCommand } from "./serveCommand.js";

type Command = (args: string[]) => Promise<number>;

async function withReranker<T>(values: Parameters<typeof rerankerOptionsFrom>[0], work: (reranker: Reranker) => Promise<T>): Promise<T> {
    const reranker = await Reranker.load(rerankerOptionsFrom(values));
    try {
        return await work(reranker);
    } finally {
        await reranker.dispose();
    }
}

const rank: Command = async (args) => {
    const { values } = parseArgs({
        args,
        options: {
            ...rerankerFlags,
            query: { type: "string" },
            passage: { type: "string", multiple: true },
            passages: { type: "string" },
            top: { type: "string" },
            normalize: { type: "boolean" },
            json: { type: "boolean" },
            ...overflowFlags
        }
    });
    const query = givenString(values, "query");
    const overflow = overflowOptionsFrom(values);
    const passages = [...(values.passage ?? []), ...(values.passages ? readPassages(values.passages) : [])];
    if (passages.length === 0) throw new InvalidArgumentError("give passages with --passage P (repeatable) or --passages FILE");
    const progress = stderrProgress("ranking");
    const results = await withReranker(values, (reranker) =>
        reranker
            .rerank(query, passages, { topN: integerFlag(values, "top"), normalize: values.normalize === true, onProgress: progress.onProgress, ...overflow })
            .finally(progress.done)
    );
    if (values.json) console.log(JSON.stringify({ results: results.map(({ index, score, window }) => ({ index, score, ...(window ? { window } : {}) })) }));
    else {
        for (const { index, score, passage, window } of results) {
            // With windows, the text shown is the best window's, and its character span follows the index.
            const shown = window ? passage.slice(window.start, window.end) : passage;
            const span = window ? `\t[${window.start},${window.end})` : "";
            console.log(`${score.toFixed(6)}\t${index}${span}\t${shown.replace(/\s+/g, " ").slice(0, 100)}`);
        }
    }
    return 0;
};

const score: Command = async (args) => {
    const { values } = parseArgs({ args, options: { ...rerankerFlags, pairs: { type: "string" }, normalize: { type: "boolean" }, json: { type: "boolean" } } });
    const pairs = readPairs(requiredString(values, "pairs"));
    const progress = stderrProgress("scoring");
    const scores = await withReranker(values, (reranker) =>
        reranker.score(pairs, { normalize: values.normalize === true, onProgress: progress.onProgress }).finally(progress.done)
    );
    if (values.json) console.log(JSON.stringify({ scores }));
    else for (const value of scores) console.log(String(value));
    return 0;
};

const tokens: Command = async (args) => {
    const { values } = parseArgs({ args, options: { ...rerankerFlags, query: { type: "string" }, passage: { type: "string" } } });
    const query = givenString(values, "query");
    const ids = await withReranker(values, async (reranker) => reranker.buildInput(query, values.passage ?? ""));
    console.log(JSON.stringify(ids));
    return 0;
};

const describe: Command = async (args) => {
    const { values } = parseArgs({ args, options: rerankerFlags });
    const description = await withReranker(values, async (reranker) => reranker.describe());
    console.log(JSON.stringify(description, null, 2));
    return 0;
};

export const commands: Record<string, Command> = {
    rank,
    score,
    tokens,
    describe,
    check: checkCommand,
    bench: benchCommand,
    "bench-peer": benchPeerCommand,
    serve: serveCommand,
    "build-llama": buildLlamaCommand,
    pull: pullCommand,
    profile: profileCommand,
    "export-train": exportTrainCommand
};
