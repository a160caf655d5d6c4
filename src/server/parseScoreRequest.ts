import { invalidArgument } from "../utils/validate.js";
import { invalidRequest } from "./HttpError.js";
import { readBoolean, readModelName, requireAtMost, requireObject } from "./requestFields.js";

/** vLLM's score request: text_1 and text_2, each a string or a list (1:1, 1:N or N:N). */
export type ScoreRequest = {
    model: string | undefined;
    pairs: [string, string][];
    rawScores: boolean;
};

export function parseScoreRequest(body: unknown, options: { maxDocuments: number }): ScoreRequest {
    const object = requireObject(body);
    const first = readTextOrList(object, "text_1");
    const second = readTextOrList(object, "text_2");
    requireAtMost(Math.max(first.length, second.length), options.maxDocuments, "text_2");
    let pairs: [string, string][];
    if (first.length === 1) pairs = second.map((text) => [first[0]!, text]);
    else if (first.length === second.length) pairs = first.map((text, i) => [text, second[i]!]);
    else {
        throw invalidRequest(
            `text_1 has ${first.length} texts and text_2 has ${second.length}; send one text_1 for many text_2 (1:N), or lists of equal length (N:N)`
        );
    }
    // vLLM turns the activation off with `activation` (older) or `use_activation` (newer) false.
    const activation = readBoolean(object, "use_activation", readBoolean(object, "activation", true));
    return { model: readModelName(object), pairs, rawScores: readBoolean(object, "raw_scores", !activation) };
}

function readTextOrList(body: Record<string, unknown>, name: string): string[] {
    const value = body[name];
    if (typeof value === "string") return [value];
    if (!Array.isArray(value)) throw invalidRequest(invalidArgument(name, "a string or an array of strings", value).message);
    if (value.length === 0) throw invalidRequest(`${name} is empty; send at least one text`);
    return value.map((item, i) => {
        if (typeof item !== "string") throw invalidRequest(invalidArgument(`${name}[${i}]`, "a string", item).message);
        return item;
    });
}
