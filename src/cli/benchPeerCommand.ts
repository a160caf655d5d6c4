import { parseArgs } from "node:util";
import { formatPeerRankingReport, runPeerRankingBench } from "../bench/peerRankingBench.js";
import { integerFlag, requiredString } from "./commonOptions.js";

type Command = (args: string[]) => Promise<number>;

const topics = [
    "tides and the moon",
    "the capital of France",
    "reversing a list in Python",
    "photosynthesis in leaves",
    "the boiling point of water",
    "Shakespeare's Hamlet",
    "the speed of light",
    "Tokyo's population"
];

/** llm-rerank bench-peer --model FILE [--documents N] [--threads N] [--peer-default-threads] [--json] */
export const benchPeerCommand: Command = async (args) => {
    const { values } = parseArgs({
        args,
        options: {
            model: { type: "string" },
            documents: { type: "string" },
            threads: { type: "string" },
            "peer-default-threads": { type: "boolean" },
            json: { type: "boolean" }
        }
    });
    const count = integerFlag(values, "documents") ?? 16;
    // short documents, as qmd reranks search snippets: one query, many documents
    const documents = Array.from(
        { length: count },
        (_, i) => `Notes on ${topics[i % topics.length]}, part ${i + 1}: a short passage a search engine returned.`
    );
    const report = await runPeerRankingBench({
        model: requiredString(values, "model"),
        query: "how do tides work?",
        documents,
        threads: integerFlag(values, "threads") ?? 2,
        peerDefaultThreads: values["peer-default-threads"] === true
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatPeerRankingReport(report));
    return 0;
};
