// Entry point of the isolated llama.cpp process (Reranker.load({ isolation: "process" })). It loads
// node-llama-cpp's llama.cpp and the addon here, holds the native objects, and serves the typed
// addon surface to the parent over messages. If llama.cpp aborts, only this process dies.
// It runs under child_process.fork (process.send) and under Electron's utilityProcess (process.parentPort).
import type { AddonContext, AddonContextOptions, AddonLora, AddonModel } from "../native/AddonTypes.js";
import { LlamaBackend, type GpuOption, type LlamaBuildOption } from "../native/LlamaBackend.js";
import { servedMethods, type HandleKind, type HandleReference, type Request, type Response } from "./protocol.js";

type ParentPort = { on(event: "message", listener: (event: { data: unknown }) => void): void; postMessage(message: unknown): void };

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: Response) => (parentPort ? parentPort.postMessage(message) : process.send!(message));
const handles = new Map<number, { kind: HandleKind; object: AddonModel | AddonContext | AddonLora }>();
let nextHandle = 1;
let backend: LlamaBackend | undefined;

// Test hook: abort for real at the Nth decode, as a failed GGML_ASSERT would. Read only here, in the child.
const abortAtDecode = Number(process.env.LLM_RERANK_TEST_ABORT_AT_DECODE ?? 0);
let decodes = 0;

function hold(kind: HandleKind, object: AddonModel | AddonContext | AddonLora, description?: unknown): HandleReference {
    const handle = nextHandle++;
    handles.set(handle, { kind, object });
    return { handle, kind, description };
}

function held(handle: number, kind: HandleKind) {
    const entry = handles.get(handle);
    if (!entry || entry.kind !== kind) throw new Error(`the isolated process holds no ${kind} ${handle}`);
    return entry.object;
}

async function serve(request: Request): Promise<unknown> {
    if (request.kind === "init") {
        backend = await LlamaBackend.get(request.gpu as GpuOption, request.build as LlamaBuildOption);
        return { ...backend.description, isolation: "process" };
    }
    if (!backend) throw new Error("the isolated process was not initialised");
    if (request.kind === "loadModel") {
        const model = await backend.loadModel(request.path, request.gpuLayers);
        return hold("model", model, model.describe());
    }
    if (request.kind === "createContext") {
        const options = {
            ...request.options,
            loras: request.options.loras.map(({ adapter, scale }) => ({ adapter: held(adapter, "lora") as AddonLora, scale }))
        } as AddonContextOptions;
        const context = await backend.createContext(held(request.model, "model") as AddonModel, options);
        return hold("context", context, context.describe());
    }
    const entry = handles.get(request.handle);
    if (!entry || !(servedMethods[entry.kind] as readonly string[]).includes(request.method)) {
        throw new Error(`the isolated process does not serve ${request.method} on handle ${request.handle}`);
    }
    if (entry.kind === "context" && request.method === "decode" && ++decodes === abortAtDecode) process.abort();
    const target = entry.object as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const value = await target[request.method]!(...request.args);
    if (request.method === "dispose") handles.delete(request.handle);
    if (request.method === "loadLora") return hold("lora", value as AddonLora);
    return value;
}

function onMessage(message: unknown): void {
    const request = message as Request;
    serve(request).then(
        (value) => send({ id: request.id, ok: true, value }),
        (error: unknown) => {
            const { name, message: text, code } = error as { name?: string; message?: string; code?: unknown };
            send({
                id: request.id,
                ok: false,
                error: { name: name ?? "Error", message: text ?? String(error), code: typeof code === "string" ? code : undefined }
            });
        }
    );
}

if (parentPort) parentPort.on("message", (event) => onMessage(event.data));
else process.on("message", onMessage);
// Requests are sent only after this: neither channel is required to hold messages for a listener.
if (parentPort) parentPort.postMessage({ listening: true });
else process.send!({ listening: true });
// The parent going away (even killed) ends this process: it holds nothing worth keeping.
process.on("disconnect", () => process.exit(0));
