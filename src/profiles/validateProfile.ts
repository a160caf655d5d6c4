import { InvalidArgumentError, UnsupportedModelError } from "../errors/errors.js";
import { invalidArgument, isPlainObject } from "../utils/validate.js";
import type { ModelProfile } from "./ModelProfile.js";

const formats = ["flag-embedding", "chat-template", "encoder-pair"] as const;
const scoreKinds = ["logit", "softmax", "rank"] as const;
const normalizations = ["sigmoid", "none"] as const;

const commonFields = [
    "name",
    "description",
    "architectures",
    "tokenizerModels",
    "tokenizerPre",
    "nameHints",
    "tensorHints",
    "format",
    "prompt",
    "maxLength",
    "score",
    "normalize"
] as const;
const formatFields: Record<(typeof formats)[number], readonly string[]> = {
    "flag-embedding": ["queryPrefix", "passagePrefix", "separator"],
    "chat-template": ["templatePrefix", "userTemplate", "templateSuffix", "textNormalization"],
    "encoder-pair": ["startToken", "pairSeparator", "endToken", "truncation"]
};
const scoreFields: Record<(typeof scoreKinds)[number], readonly string[]> = {
    logit: ["kind", "token"],
    softmax: ["kind", "token", "against"],
    rank: ["kind"]
};

/**
 * Checks that `value` is a whole model profile, field by field, and returns it typed. A wrong or
 * missing field throws an InvalidArgumentError that names it (`${source}.score.token`); a format
 * or score kind the library has no input builder or head for throws an UnsupportedModelError.
 * Unknown fields are refused too: in a hand-written profile they are usually misspelt ones.
 * `source` names the profile in messages: "profile" for the built-in ones, a file path for a
 * user's profile file.
 */
export function validateProfile(value: unknown, source: string = "profile"): ModelProfile {
    if (!isPlainObject(value)) throw invalidArgument(source, "a profile object", value);
    const field = (name: string) => `${source}.${name}`;

    const name = nonEmptyString(field("name"), value.name);
    // from here on, messages name the profile too
    if (source === "profile") source = `profile "${name}"`;
    string(field("description"), value.description);
    stringList(field("architectures"), value.architectures, { nonEmpty: true });
    if (value.tokenizerModels !== undefined) stringList(field("tokenizerModels"), value.tokenizerModels, { nonEmpty: true });
    if (value.tokenizerPre !== undefined) stringList(field("tokenizerPre"), value.tokenizerPre, { nonEmpty: true });
    const hints = stringList(field("nameHints"), value.nameHints, { nonEmpty: false });
    // detectProfile compares them with lower-cased model names: an upper-case letter never matches
    hints.forEach((hint, i) => {
        if (hint !== hint.toLowerCase()) throw invalidArgument(`${field("nameHints")}[${i}]`, "a lower-case name fragment", hint);
    });
    if (value.tensorHints !== undefined) stringList(field("tensorHints"), value.tensorHints, { nonEmpty: true });
    string(field("prompt"), value.prompt);
    if (typeof value.maxLength !== "number" || !Number.isInteger(value.maxLength) || value.maxLength < 1)
        throw invalidArgument(field("maxLength"), "an integer >= 1", value.maxLength);
    oneOf(field("normalize"), value.normalize, normalizations, InvalidArgumentError);

    if (!isPlainObject(value.score)) throw invalidArgument(field("score"), "an object with a kind", value.score);
    const kind = oneOf(field("score.kind"), value.score.kind, scoreKinds, UnsupportedModelError);
    if (kind === "logit" || kind === "softmax") nonEmptyString(field("score.token"), value.score.token);
    if (kind === "softmax") {
        const against = nonEmptyString(field("score.against"), value.score.against);
        if (against === value.score.token) throw invalidArgument(field("score.against"), "a token other than score.token", against);
    }
    onlyKnownFields(field("score"), value.score, scoreFields[kind]);

    const format = oneOf(field("format"), value.format, formats, UnsupportedModelError);
    if (format === "flag-embedding") {
        string(field("queryPrefix"), value.queryPrefix);
        string(field("passagePrefix"), value.passagePrefix);
        string(field("separator"), value.separator);
    } else if (format === "chat-template") {
        string(field("templatePrefix"), value.templatePrefix);
        const template = string(field("userTemplate"), value.userTemplate);
        const instruction = template.indexOf("{instruction}");
        const query = template.indexOf("{query}");
        const document = template.indexOf("{document}");
        if (instruction < 0 || query < instruction || document < query || !template.endsWith("{document}"))
            throw invalidArgument(
                field("userTemplate"),
                "a template with {instruction}, {query} and {document} in that order, ending with {document}",
                template
            );
        string(field("templateSuffix"), value.templateSuffix);
        if (value.textNormalization !== undefined) oneOf(field("textNormalization"), value.textNormalization, ["NFC"] as const, InvalidArgumentError);
    } else {
        nonEmptyString(field("startToken"), value.startToken);
        stringList(field("pairSeparator"), value.pairSeparator, { nonEmpty: true }).forEach((token, i) =>
            nonEmptyString(`${field("pairSeparator")}[${i}]`, token)
        );
        nonEmptyString(field("endToken"), value.endToken);
        if (value.truncation !== undefined) oneOf(field("truncation"), value.truncation, ["flag-reranker", "longest-first"] as const, InvalidArgumentError);
    }
    onlyKnownFields(source, value, [...commonFields, ...formatFields[format]]);
    return value as ModelProfile;
}

function string(name: string, value: unknown): string {
    if (typeof value !== "string") throw invalidArgument(name, "a string", value);
    return value;
}

function nonEmptyString(name: string, value: unknown): string {
    if (typeof value !== "string" || value === "") throw invalidArgument(name, "a non-empty string", value);
    return value;
}

function stringList(name: string, value: unknown, { nonEmpty }: { nonEmpty: boolean }): string[] {
    if (!Array.isArray(value) || (nonEmpty && value.length === 0))
        throw invalidArgument(name, nonEmpty ? "a non-empty array of strings" : "an array of strings", value);
    value.forEach((item, i) => nonEmptyString(`${name}[${i}]`, item));
    return value as string[];
}

function oneOf<T extends string>(
    name: string,
    value: unknown,
    allowed: readonly T[],
    ErrorClass: typeof InvalidArgumentError | typeof UnsupportedModelError
): T {
    if (allowed.includes(value as T)) return value as T;
    const expected = `one of ${allowed.map((option) => JSON.stringify(option)).join(", ")}`;
    if (ErrorClass === UnsupportedModelError)
        throw new UnsupportedModelError(`${name} is ${JSON.stringify(value)}; this version of llm-rerank supports ${expected}`);
    throw invalidArgument(name, expected, value);
}

function onlyKnownFields(name: string, value: Record<string, unknown>, known: readonly string[]): void {
    const unknown = Object.keys(value).filter((key) => !known.includes(key));
    if (unknown.length > 0)
        throw new InvalidArgumentError(
            `${name} has unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map((key) => JSON.stringify(key)).join(", ")}; known: ${known.join(", ")}`
        );
}
