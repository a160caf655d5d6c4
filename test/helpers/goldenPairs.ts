import { readFileSync } from "node:fs";

// "__LONG__" stands for a passage far over the 512-token budget, so truncation is exercised.
const longPassage = "The tide rises and falls twice a day because of the moon. ".repeat(60);

export function loadGoldenPairs(): [string, string][] {
    const raw = JSON.parse(readFileSync(new URL("../fixtures/goldenPairs.json", import.meta.url), "utf8")) as [string, string][];
    return raw.map(([query, passage]) => [query, passage === "__LONG__" ? longPassage : passage]);
}
