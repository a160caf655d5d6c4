/** Messages between IsolatedBackend (parent) and isolatedChildMain (child). */

/** Methods the child serves on an object it holds; anything else is refused. */
export const servedMethods = {
    model: ["tokenize", "tokenTexts", "tokenAttributes", "loadLora", "dispose"],
    context: ["decode", "dispose"],
    lora: []
} as const;

export type HandleKind = keyof typeof servedMethods;

export type Request =
    | { id: number; kind: "init"; gpu: string | false; build: string }
    | { id: number; kind: "loadModel"; path: string; gpuLayers: number }
    | { id: number; kind: "createContext"; model: number; options: Record<string, unknown> & { loras: { adapter: number; scale: number }[] } }
    | { id: number; kind: "call"; handle: number; method: string; args: unknown[] };

/** A request without its id, which the parent assigns. */
export type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A value that stands for a native object held in the child. */
export type HandleReference = { handle: number; kind: HandleKind; description?: unknown };

/** The child's answers; before any, it sends { listening: true }. */
export type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; code?: string } };

export function isHandleReference(value: unknown): value is HandleReference {
    return typeof value === "object" && value !== null && typeof (value as HandleReference).handle === "number" && "kind" in value;
}
