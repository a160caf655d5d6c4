import { stderrProgress } from "./progressBar.js";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import { givenString, integerFlag, requiredString, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";
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
            json: { type: "boolean" }
        }
    });
    const query = givenString(values, "query");
    const passages = [...(values.passage ?? []), ...(values.passages ? readPassages(values.passages) : [])];
    if (passages.length === 0) throw new InvalidArgumentError("give passages with --passage P (repeatable) or --passages FILE");
    const progress = stderrProgress("ranking");
    const results = await withReranker(values, (reranker) =>
        reranker
            .rerank(query, passages, { topN: integerFlag(values, "top"), normalize: values.normalize === true, onProgress: progress.onProgress })
            .finally(progress.done)
    );
    if (values.json) console.log(JSON.stringify({ results: results.map(({ index, score }) => ({ index, score })) }));
    else for (const { index, score, passage } of results) console.log(`${score.toFixed(6)}\t${index}\t${passage.replace(/\s+/g, " ").slice(0, 100)}`);
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

const makeTestModel: Command = async (args) => {
    const { values } = parseArgs({
        args,
        options: {
            out: { type: "string" },
            preset: { type: "string" },
            seed: { type: "string" },
            f16: { type: "boolean" },
            bf16: { type: "boolean" },
            "weight-scale": { type: "string" },
            "tokenizer-dir": { type: "string" },
            "if-missing": { type: "boolean" }
        }
    });
    const outPath = requiredString(values, "out");
    if (values["if-missing"] && existsSync(outPath)) {
        console.error(`llm-rerank: ${outPath} exists; keeping it`);
        return 0;
    }
    const preset = values.preset ?? "tiny";
    if (values.f16 && values.bf16) throw new InvalidArgumentError("--f16 and --bf16 exclude each other");
    const weightType = values.f16 ? "f16" : values.bf16 ? "bf16" : "f32";
    const seed = integerFlag(values, "seed");
    const started = Date.now();
    let written: { outPath: string; bytes: number };
    if (preset === "qwen3-tiny" || preset === "qwen3-rank-tiny" || preset === "qwen3-rank-untied-tiny") {
        // qwen3-tiny has always carried the converter's tied rank head; qwen3-rank-tiny names it so.
        const { writeQwen3TestModel } = await import("../testModel/qwen3/writeQwen3TestModel.js");
        const rerankHeadRows = preset === "qwen3-rank-untied-tiny" ? "untied" : "matching";
        written = await writeQwen3TestModel({ outPath, seed, weightType, rerankHeadRows });
    } else if (preset === "bert-tiny" || preset === "bert-bench") {
        if (weightType === "bf16") throw new InvalidArgumentError(`--bf16 is not available for the ${preset} preset (F32 or --f16)`);
        const { writeBertTestModel } = await import("../testModel/bert/writeBertTestModel.js");
        const tokenizerDir = typeof values["tokenizer-dir"] === "string" ? values["tokenizer-dir"] : undefined;
        written = await writeBertTestModel({
            outPath,
            seed,
            weightType,
            shape: preset === "bert-bench" ? "bench" : "tiny",
            ...(tokenizerDir !== undefined ? { tokenizerDir } : {})
        });
    } else if (preset === "tiny" || preset === "mid" || preset === "bench" || preset === "gemma-2b") {
        const { writeTestModel } = await import("../testModel/writeTestModel.js");
        const weightScale = values["weight-scale"] === undefined ? undefined : Number(values["weight-scale"]);
        written = await writeTestModel({ outPath, preset, seed, weightType, weightScale });
    } else {
        throw new InvalidArgumentError(
            `--preset expects tiny, mid, bench, gemma-2b, qwen3-tiny, qwen3-rank-tiny, qwen3-rank-untied-tiny, bert-tiny or bert-bench, got ${preset}`
        );
    }
    console.error(
        `llm-rerank: wrote ${written.outPath} (${(written.bytes / 2 ** 20).toFixed(1)} MiB, ${preset}) in ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
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
    "export-train": exportTrainCommand,
    "make-test-model": makeTestModel
};
