// Entry point of the child process (Reranker.load({ isolation: "process" })). It loads
// node-llama-cpp's llama.cpp and the addon here, holds the native objects, and answers the typed
// requests of messages.ts. If llama.cpp aborts, only this process dies.
// It runs under child_process.fork (process.send) and under Electron's utilityProcess (process.parentPort).
import { serializeError } from "../errors/errorTransport.js";
import type { AddonContext, AddonLora, AddonModel } from "../native/AddonTypes.js";
import { InProcessHost } from "../native/InProcessHost.js";
import { requestKinds, type ChildMessage, type ChildRequests, type RequestKind, type RequestMessage } from "./messages.js";

type ParentPort = { on(event: "message", listener: (event: { data: unknown }) => void): void; postMessage(message: unknown): void };

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const send = (message: ChildMessage) => (parentPort ? parentPort.postMessage(message) : process.send!(message));

/** Native objects this process holds for the parent, by handle, one table per kind. */
class HandleTable<T> {
    private readonly objects = new Map<number, T>();
    private static next = 1;

    constructor(private readonly kind: string) {}

    hold(object: T): number {
        const handle = HandleTable.next++;
        this.objects.set(handle, object);
        return handle;
    }

    get(handle: number): T {
        const object = this.objects.get(handle);
        if (object === undefined) throw new Error(`the child process holds no ${this.kind} ${handle}`);
        return object;
    }

    drop(handle: number): void {
        this.objects.delete(handle);
    }
}

const models = new HandleTable<AddonModel>("model");
const contexts = new HandleTable<AddonContext>("context");
const loras = new HandleTable<AddonLora>("adapter");
let host: InProcessHost | undefined;

function initialised(): InProcessHost {
    if (!host) throw new Error("the child process was not initialised");
    return host;
}

// Test hook: abort for real at the Nth decode, as a failed GGML_ASSERT would. Read only here, in the child.
const abortAtDecode = Number(process.env.LLM_RERANK_TEST_ABORT_AT_DECODE ?? 0);
let decodes = 0;

const handlers: { [K in RequestKind]: (args: ChildRequests[K]["args"]) => Promise<ChildRequests[K]["reply"]> } = {
    init: async ({ gpu, build, fp16Arithmetic }) => {
        host = await InProcessHost.get(gpu, build, fp16Arithmetic);
        return host.description;
    },
    readDevices: () => initialised().readDevices(),
    loadModel: async ({ path, gpuLayers }) => {
        const model = await initialised().loadModel(path, gpuLayers);
        return { handle: models.hold(model), description: model.describe() };
    },
    tokenize: ({ model, texts, parseSpecial }) => models.get(model).tokenize(texts, parseSpecial),
    tokenTexts: ({ model, tokens }) => models.get(model).tokenTexts(tokens),
    tokenAttributes: ({ model, tokens }) => models.get(model).tokenAttributes(tokens),
    loadLora: async ({ model, path }) => ({ handle: loras.hold(await models.get(model).loadLora(path)) }),
    disposeModel: async ({ model }) => {
        await models.get(model).dispose();
        models.drop(model);
    },
    createContext: async ({ model, options }) => {
        const context = await initialised().createContext(models.get(model), {
            ...options,
            loras: options.loras.map(({ adapter, scale }) => ({ adapter: loras.get(adapter), scale }))
        });
        return { handle: contexts.hold(context), description: context.describe() };
    },
    decode: ({ context, batch, scoreTokenIds, memoryEdits }) => {
        if (++decodes === abortAtDecode) process.abort();
        return contexts.get(context).decode(batch, scoreTokenIds, memoryEdits);
    },
    disposeContext: async ({ context }) => {
        await contexts.get(context).dispose();
        contexts.drop(context);
    },
    readPlacement: ({ model, context, gpuLayers }) => initialised().readPlacement(models.get(model), contexts.get(context), gpuLayers)
};

function serve<K extends RequestKind>(kind: K, args: ChildRequests[K]["args"]): Promise<ChildRequests[K]["reply"]> {
    return handlers[kind](args);
}

function onMessage(message: unknown): void {
    const request = message as RequestMessage;
    const work = requestKinds.includes(request?.kind)
        ? Promise.resolve().then(() => serve(request.kind, request.args))
        : Promise.reject(new Error(`the child process does not serve ${JSON.stringify(request?.kind)}`));
    work.then(
        (value) => send({ id: request.id, ok: true, value }),
        (error: unknown) => send({ id: request.id, ok: false, error: serializeError(error) })
    );
}

if (parentPort) parentPort.on("message", (event) => onMessage(event.data));
else process.on("message", onMessage);
// Requests are sent only after this: neither channel is required to hold messages for a listener.
send({ listening: true });
// The parent going away (even killed) ends this process: it holds nothing worth keeping.
process.on("disconnect", () => process.exit(0));
