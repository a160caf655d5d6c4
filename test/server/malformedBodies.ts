import { SeededRandom } from "../../src/testModel/SeededRandom.js";

export type MalformedRequest = { path: string; body: string; contentType: string; kind: string };

type Shape = { path: string; valid: () => Record<string, unknown>; required: string[]; optional: string[]; lists: string[] };

const shapes: Shape[] = [
    ...["/v1/rerank", "/rerank", "/v2/rerank", "/reranking"].map((path) => ({
        path,
        valid: () => ({
            model: "m",
            query: "how do tides work?",
            documents: ["The moon pulls the sea.", { text: "Bananas are yellow." }],
            top_n: 1,
            return_documents: true
        }),
        required: ["query", "documents"],
        optional: ["top_n", "return_documents", "raw_scores", "model"],
        lists: ["documents"]
    })),
    {
        path: "/rerank",
        valid: () => ({
            query: "how do tides work?",
            texts: ["The moon pulls the sea.", "Bananas are yellow."],
            raw_scores: false,
            return_text: true,
            truncate: true
        }),
        required: ["query", "texts"],
        optional: ["raw_scores", "return_text", "truncate"],
        lists: ["texts"]
    },
    ...["/score", "/v1/score"].map((path) => ({
        path,
        valid: () => ({ model: "m", text_1: "how do tides work?", text_2: ["The moon pulls the sea.", "Bananas are yellow."] }),
        required: ["text_1", "text_2"],
        optional: ["model", "raw_scores", "use_activation"],
        lists: ["text_2"]
    }))
];

const notAString = [null, 0, 1.5, -3, true, false, [], ["q"], {}, { text: "q" }];
const notAList = [null, 0, 2, true, "a document", {}, { text: "x" }];
const badListItems = [null, 7, true, [], ["nested"], {}, { text: 5 }, { body: "no text field" }];
const badOptional: Record<string, unknown[]> = {
    top_n: [-1, 1.5, "3", "abc", true, {}, [], -0.5],
    return_documents: ["yes", 1, 0, [], {}, "TRUE"],
    raw_scores: ["no", 1, [], {}, "False"],
    return_text: ["sure", 2, {}],
    truncate: ["maybe", 0, []],
    use_activation: ["off", 1],
    model: [1, true, [], {}]
};

/**
 * Seeded malformed requests to the POST routes: broken JSON, JSON of the wrong type, a required
 * field missing or mistyped, a list empty, holding a bad item or too long, an optional field
 * mistyped, the wrong content type, a body over the size limit. Each mutation makes the request
 * invalid by construction (a strict prefix of a JSON object never parses, and so on), so every
 * one must get a 4xx.
 */
export function malformedBodies(count: number, seed: number, limits: { maxDocuments: number; maxBodyBytes: number }): MalformedRequest[] {
    const random = new SeededRandom(seed, "malformed bodies");
    const pick = <T>(items: readonly T[]): T => items[random.nextUint32() % items.length]!;
    const json = "application/json";
    const requests: MalformedRequest[] = [];
    for (let i = 0; i < count; i++) {
        const shape = pick(shapes);
        const body = shape.valid();
        const text = JSON.stringify(body);
        const strategy = random.nextUint32() % 13;
        let request: MalformedRequest;
        switch (strategy) {
            case 0:
                request = { path: shape.path, body: text.slice(0, random.nextUint32() % text.length), contentType: json, kind: "truncated JSON" };
                break;
            case 1: {
                const garbage = pick(["}", "x", ",", "]", "{", "null", '"'] as const);
                request = { path: shape.path, body: random.nextUint32() % 2 ? text + garbage : garbage + text, contentType: json, kind: "garbage around JSON" };
                break;
            }
            case 2:
                request = {
                    path: shape.path,
                    body: pick([text.replaceAll('"', "'"), text.replace(/:/, "="), `{${text}}`, "NaN", "undefined", "{query: 1}"]),
                    contentType: json,
                    kind: "not JSON"
                };
                break;
            case 3:
                request = { path: shape.path, body: JSON.stringify(pick([[], [body], 42, "a string", null, true])), contentType: json, kind: "not an object" };
                break;
            case 4: {
                const field = pick(shape.required);
                delete body[field];
                // An own "__proto__" key in the JSON must not smuggle the field in through the prototype.
                if (random.nextUint32() % 4 === 0) Object.defineProperty(body, "__proto__", { value: { [field]: "hidden" }, enumerable: true });
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: `missing ${field}` };
                break;
            }
            case 5: {
                const field = pick(shape.required);
                // text_1 and text_2 may be a string or a list of strings: neither counts as mistyped there.
                const scoreShape = shape.path.includes("score");
                body[field] = shape.lists.includes(field)
                    ? pick(notAList.filter((value) => !(scoreShape && typeof value === "string")))
                    : pick(notAString.filter((value) => !(scoreShape && Array.isArray(value) && value.length > 0)));
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: `mistyped ${field}` };
                break;
            }
            case 6: {
                const field = pick(shape.lists);
                const list = [...(body[field] as unknown[])];
                list.splice(random.nextUint32() % (list.length + 1), 0, pick(badListItems.filter((item) => !(field === "documents" && isTextObject(item)))));
                body[field] = random.nextUint32() % 5 === 0 ? [] : list;
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: `bad item in ${field}` };
                break;
            }
            case 7: {
                const field = pick(shape.lists);
                body[field] = Array.from({ length: limits.maxDocuments + 1 + (random.nextUint32() % 5) }, (_, k) => `document ${k}`);
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: "too many documents" };
                break;
            }
            case 8: {
                const field = pick(shape.optional);
                body[field] = pick(badOptional[field]!);
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: `mistyped ${field}` };
                break;
            }
            case 9:
                request = {
                    path: shape.path,
                    body: text,
                    contentType: pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json"]),
                    kind: "wrong content type"
                };
                break;
            case 10: {
                // Bodies over the limit are big: only a few of them.
                if (random.nextUint32() % 8 !== 0) {
                    request = { path: shape.path, body: "", contentType: json, kind: "empty body" };
                    break;
                }
                const field = pick(shape.lists);
                body[field] = ["x".repeat(limits.maxBodyBytes + (random.nextUint32() % 1000))];
                request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: "body too large" };
                break;
            }
            case 11: {
                if (shape.path.includes("score")) {
                    body.text_1 = ["q1", "q2"];
                    body.text_2 = ["p1", "p2", "p3"].slice(0, random.nextUint32() % 2 ? 3 : 1);
                    request = { path: shape.path, body: JSON.stringify(body), contentType: json, kind: "text_1/text_2 lengths differ" };
                } else {
                    const depth = 2000 + (random.nextUint32() % 20000);
                    body[pick(shape.lists)] = "[".repeat(depth) + "]".repeat(depth);
                    request = { path: shape.path, body: JSON.stringify(body).replace(/"(\[+\]+)"/, "$1"), contentType: json, kind: "deeply nested list" };
                }
                break;
            }
            default: {
                const bytes = Buffer.alloc(1 + (random.nextUint32() % 64));
                for (let k = 0; k < bytes.length; k++) bytes[k] = random.nextUint32() & 0xff;
                // A leading "<" can start no JSON value, so the bytes never parse.
                request = { path: shape.path, body: "<" + bytes.toString("latin1"), contentType: json, kind: "random bytes" };
            }
        }
        requests.push(request);
    }
    return requests;
}

function isTextObject(item: unknown): boolean {
    return typeof item === "object" && item !== null && typeof (item as { text?: unknown }).text === "string";
}
