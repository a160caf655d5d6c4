import { InvalidArgumentError, UnsupportedModelError } from "../errors/errors.js";
import { closestKey } from "../utils/checkKnownKeys.js";
import { invalidArgument, isPlainObject } from "../utils/validate.js";
import type { ModelProfile } from "./ModelProfile.js";

const formats = ["flag-embedding", "chat-template", "encoder-pair", "template"] as const;
const scoreKinds = ["logit", "softmax", "logit-difference", "rank"] as const;
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
    "normalize",
    "temperature"
] as const;
const formatFields: Record<(typeof formats)[number], readonly string[]> = {
    "flag-embedding": ["queryPrefix", "passagePrefix", "separator"],
    "chat-template": ["templatePrefix", "userTemplate", "templateSuffix", "textNormalization"],
    "encoder-pair": ["startToken", "pairSeparator", "endToken", "truncation"],
    template: ["template", "tokenize", "bos", "instructionTemplate", "truncation", "textNormalization", "stripWhitespace", "maxCharacters"]
};
const scoreFields: Record<(typeof scoreKinds)[number], readonly string[]> = {
    logit: ["kind", "token"],
    softmax: ["kind", "token", "against"],
    "logit-difference": ["kind", "token", "against"],
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
    const format = oneOf(field("format"), value.format, formats, UnsupportedModelError);
    // before the fields: a misspelt field is named as such, not as a missing one
    onlyKnownFields(source, value, [...commonFields, ...formatFields[format]]);
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
    const normalize = oneOf(field("normalize"), value.normalize, normalizations, InvalidArgumentError);
    if (value.temperature !== undefined) {
        if (typeof value.temperature !== "number" || !Number.isFinite(value.temperature) || value.temperature <= 0)
            throw invalidArgument(field("temperature"), "a finite number > 0", value.temperature);
        if (normalize !== "sigmoid") throw invalidArgument(field("temperature"), 'absent unless normalize is "sigmoid"', value.temperature);
    }

    if (!isPlainObject(value.score)) throw invalidArgument(field("score"), "an object with a kind", value.score);
    const kind = oneOf(field("score.kind"), value.score.kind, scoreKinds, UnsupportedModelError);
    onlyKnownFields(field("score"), value.score, scoreFields[kind]);
    if (kind !== "rank") nonEmptyString(field("score.token"), value.score.token);
    if (kind === "softmax" || kind === "logit-difference") {
        const against = nonEmptyString(field("score.against"), value.score.against);
        if (against === value.score.token) throw invalidArgument(field("score.against"), "a token other than score.token", against);
    }
    if (kind === "rank" && format === "template")
        throw invalidArgument(field("score.kind"), 'one of "logit", "softmax", "logit-difference" for a template profile', kind);

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
    } else if (format === "encoder-pair") {
        nonEmptyString(field("startToken"), value.startToken);
        stringList(field("pairSeparator"), value.pairSeparator, { nonEmpty: true }).forEach((token, i) =>
            nonEmptyString(`${field("pairSeparator")}[${i}]`, token)
        );
        nonEmptyString(field("endToken"), value.endToken);
        if (value.truncation !== undefined) oneOf(field("truncation"), value.truncation, ["flag-reranker", "longest-first"] as const, InvalidArgumentError);
    } else validateTemplateFields(value, field);
    return value as ModelProfile;
}

/** The fields of a "template" profile (TemplateProfile in ModelProfile.ts). */
function validateTemplateFields(value: Record<string, unknown>, field: (name: string) => string): void {
    const tokenize = oneOf(field("tokenize"), value.tokenize, ["joined", "parts"] as const, InvalidArgumentError);
    let parts: string[];
    if (typeof value.template === "string") {
        if (value.template === "") throw invalidArgument(field("template"), "a non-empty string or array of strings", value.template);
        parts = [value.template];
    } else parts = stringList(field("template"), value.template, { nonEmpty: true });
    const whole = parts.join("");
    const count = (placeholder: string) => whole.split(placeholder).length - 1;
    for (const [placeholder, required] of [
        ["{query}", true],
        ["{document}", true],
        ["{instruction}", false]
    ] as const) {
        const n = count(placeholder);
        if (n > 1 || (required && n === 0))
            throw invalidArgument(field("template"), `a template with ${required ? "exactly one" : "at most one"} ${placeholder}`, value.template);
    }
    if (whole.indexOf("{query}") > whole.indexOf("{document}"))
        throw invalidArgument(field("template"), "a template with {query} before {document}", value.template);
    if (tokenize === "parts") {
        const documentPart = parts.find((part) => part.includes("{document}"))!;
        if (!documentPart.endsWith("{document}"))
            throw invalidArgument(field("template"), "parts where the part holding {document} ends with it (truncation cuts it from its end)", documentPart);
    }
    if (value.bos !== undefined && typeof value.bos !== "boolean") throw invalidArgument(field("bos"), "true or false", value.bos);
    if (value.instructionTemplate !== undefined) {
        const instructionTemplate = string(field("instructionTemplate"), value.instructionTemplate);
        if (instructionTemplate.split("{instruction}").length !== 2 || /\{(query|document)\}/.test(instructionTemplate))
            throw invalidArgument(field("instructionTemplate"), "a text with one {instruction} and no {query} or {document}", instructionTemplate);
        if (count("{instruction}") === 0)
            throw invalidArgument(field("instructionTemplate"), "absent when the template has no {instruction}", instructionTemplate);
    }
    if (!isPlainObject(value.truncation)) throw invalidArgument(field("truncation"), 'an object with a budget, e.g. { "budget": "input" }', value.truncation);
    const truncation = value.truncation;
    onlyKnownFields(field("truncation"), truncation, ["budget", "queryShare"]);
    oneOf(field("truncation.budget"), truncation.budget, ["input", "query-to-document", "query-to-document+tail"] as const, InvalidArgumentError);
    if (truncation.queryShare !== undefined) {
        const share = truncation.queryShare;
        if (typeof share !== "number" || !(share > 0 && share <= 1)) throw invalidArgument(field("truncation.queryShare"), "a number in (0, 1]", share);
    }
    if (value.textNormalization !== undefined) oneOf(field("textNormalization"), value.textNormalization, ["NFC"] as const, InvalidArgumentError);
    if (value.stripWhitespace !== undefined && typeof value.stripWhitespace !== "boolean")
        throw invalidArgument(field("stripWhitespace"), "true or false", value.stripWhitespace);
    if (value.maxCharacters !== undefined) {
        if (!isPlainObject(value.maxCharacters)) throw invalidArgument(field("maxCharacters"), "an object with query and/or document", value.maxCharacters);
        onlyKnownFields(field("maxCharacters"), value.maxCharacters, ["query", "document"]);
        for (const key of ["query", "document"] as const) {
            const limit = value.maxCharacters[key];
            if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1))
                throw invalidArgument(field(`maxCharacters.${key}`), "an integer >= 1", limit);
        }
    }
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
    if (unknown.length === 0) return;
    const suggestions = unknown
        .map((key) => closestKey(key, known))
        .map((closest, i) => (closest ? ` (did you mean ${JSON.stringify(closest)} for ${JSON.stringify(unknown[i])}?)` : ""));
    throw new InvalidArgumentError(
        `${name} has unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map((key) => JSON.stringify(key)).join(", ")}${suggestions.join("")}; known: ${known.join(", ")}`
    );
}
