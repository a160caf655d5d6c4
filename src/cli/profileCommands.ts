import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { resolveProfileOption } from "../profiles/readProfileFile.js";
import { writePromptRecord } from "../profiles/PromptRecord.js";
import { requiredString } from "./commonOptions.js";

/** llm-rerank profile --model M.gguf [--profile NAME|FILE.json] [--prompt TEXT]: records the training prompt in M.rerank.json. */
export async function profileCommand(args: string[]): Promise<number> {
    const { values } = parseArgs({ args, options: { model: { type: "string" }, profile: { type: "string" }, prompt: { type: "string" } } });
    const profile = resolveProfileOption(values.profile ?? "bge-reranker-v2-gemma");
    const recordPath = writePromptRecord(requiredString(values, "model"), { profile: profile.name, prompt: values.prompt ?? profile.prompt });
    console.error(`llm-rerank: wrote ${recordPath}`);
    return 0;
}

type Judgment = { query: string; passage: string; relevant: boolean };

function readJudgments(file: string): Judgment[] {
    return readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((line, i) => ({ line, number: i + 1 }))
        .filter(({ line }) => line.trim())
        .map(({ line, number }) => {
            const record = JSON.parse(line) as Record<string, unknown>;
            const label = record.label ?? record.relevant;
            if (typeof record.query !== "string" || typeof record.passage !== "string" || (typeof label !== "number" && typeof label !== "boolean")) {
                throw new InvalidArgumentError(`${file} line ${number}: expected {"query": string, "passage": string, "label": number | boolean}`);
            }
            return { query: record.query, passage: record.passage, relevant: label === true || (typeof label === "number" && label > 0) };
        });
}

/**
 * llm-rerank export-train --judgments FILE.jsonl --out train.jsonl [--profile NAME|FILE.json] [--prompt TEXT] [--model M.gguf]
 * Writes FlagEmbedding's fine-tune format with the profile's prompt, and records that prompt in the
 * model's sidecar, so training and inference use one prompt.
 */
export async function exportTrainCommand(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: { judgments: { type: "string" }, out: { type: "string" }, profile: { type: "string" }, prompt: { type: "string" }, model: { type: "string" } }
    });
    const profile = resolveProfileOption(values.profile ?? "bge-reranker-v2-gemma");
    const prompt = values.prompt ?? profile.prompt;
    const byQuery = new Map<string, { pos: string[]; neg: string[] }>();
    for (const judgment of readJudgments(requiredString(values, "judgments"))) {
        const entry = byQuery.get(judgment.query) ?? { pos: [], neg: [] };
        (judgment.relevant ? entry.pos : entry.neg).push(judgment.passage);
        byQuery.set(judgment.query, entry);
    }
    const lines = [...byQuery].filter(([, { pos }]) => pos.length > 0).map(([query, { pos, neg }]) => JSON.stringify({ query, pos, neg, prompt }));
    writeFileSync(requiredString(values, "out"), lines.join("\n") + "\n");
    console.error(`llm-rerank: wrote ${lines.length} training groups to ${values.out} (${byQuery.size - lines.length} queries without a positive skipped)`);
    if (values.model) console.error(`llm-rerank: recorded the prompt in ${writePromptRecord(values.model, { profile: profile.name, prompt })}`);
    return 0;
}
