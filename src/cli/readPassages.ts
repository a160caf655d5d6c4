import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "../errors/errors.js";

/** Passages from a .txt file (one a line) or a .jsonl file ({"passage": ...} or {"text": ...}). */
export function readPassages(file: string): string[] {
    const text = readFileSync(file, "utf8");
    if (!file.endsWith(".jsonl")) return text.split(/\r?\n/).filter((line) => line.length > 0);
    return readJsonLines(file, text).map((record, i) => {
        const passage = record.passage ?? record.text;
        if (typeof passage !== "string") throw new InvalidArgumentError(`${file} line ${i + 1}: expected a "passage" or "text" string`);
        return passage;
    });
}

/** Pairs from a .jsonl file of {"query": ..., "passage": ...} lines. */
export function readPairs(file: string): [string, string][] {
    return readJsonLines(file, readFileSync(file, "utf8")).map((record, i) => {
        if (typeof record.query !== "string" || typeof record.passage !== "string") {
            throw new InvalidArgumentError(`${file} line ${i + 1}: expected {"query": string, "passage": string}`);
        }
        return [record.query, record.passage];
    });
}

function readJsonLines(file: string, text: string): Record<string, unknown>[] {
    return text
        .split(/\r?\n/)
        .map((line, i) => ({ line, number: i + 1 }))
        .filter(({ line }) => line.trim().length > 0)
        .map(({ line, number }) => {
            try {
                return JSON.parse(line) as Record<string, unknown>;
            } catch {
                throw new InvalidArgumentError(`${file} line ${number} is not valid JSON`);
            }
        });
}
