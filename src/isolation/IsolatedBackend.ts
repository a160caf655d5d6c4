import path from "node:path";
import { fileURLToPath } from "node:url";
import { BackendCrashedError } from "../errors/BackendCrashedError.js";
import { BackendError, NativeAddonError } from "../errors/errors.js";
import type { AddonContext, AddonContextOptions, AddonModel, ModelHost } from "../native/AddonTypes.js";
import type { BackendDescription, GpuOption, LlamaBuildOption } from "../native/LlamaBackend.js";
import { forkIsolationProcess, type IsolationProcess } from "./IsolationChannel.js";
import type { HandleReference, RequestBody, Response } from "./protocol.js";
import { RemoteContext } from "./RemoteContext.js";
import { RemoteModel } from "./RemoteModel.js";

/**
 * The child's entry point: the compiled file in dist/isolation/, also when this module runs from
 * its TypeScript sources (tests), since Node cannot start a .ts file.
 */
export const isolationEntryPoint = path
    .join(path.dirname(fileURLToPath(import.meta.url)), "isolatedChildMain.js")
    .replace(`${path.sep}src${path.sep}isolation${path.sep}`, `${path.sep}dist${path.sep}isolation${path.sep}`);

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * llama.cpp in a child process, one per Reranker: the same typed surface as the in-process addon
 * (ModelHost, AddonModel, AddonContext), served over messages. When the child dies, every call
 * in flight and every later call rejects with a BackendCrashedError; this process goes on.
 */
export class IsolatedBackend implements ModelHost {
    description!: BackendDescription;
    private readonly child: IsolationProcess;
    private readonly pending = new Map<number, Pending>();
    private nextId = 1;
    private crashed: BackendCrashedError | undefined;
    private exited: Promise<void>;
    private released = false;
    /** Settles when the child says it listens: a port may drop what arrives before that. */
    private readonly listening: Promise<void>;
    private markListening!: () => void;

    private constructor(child: IsolationProcess) {
        this.child = child;
        this.listening = new Promise((resolve) => (this.markListening = resolve));
        let markExited: () => void;
        this.exited = new Promise((resolve) => (markExited = resolve));
        child.on("message", (message) => this.onResponse(message as Response));
        child.on("exit", (code, signal) => {
            this.crashed = new BackendCrashedError(code, signal ?? null, this.released ? "it was released" : "");
            for (const { reject } of this.pending.values()) reject(this.crashed);
            this.pending.clear();
            markExited();
        });
    }

    static async start(
        gpu: GpuOption,
        build: LlamaBuildOption,
        spawn: (entryPoint: string) => IsolationProcess = forkIsolationProcess
    ): Promise<IsolatedBackend> {
        const backend = new IsolatedBackend(spawn(isolationEntryPoint.replace(`${path.sep}src${path.sep}`, `${path.sep}dist${path.sep}`)));
        try {
            backend.description = (await backend.request({ kind: "init", gpu, build })) as BackendDescription;
        } catch (error) {
            await backend.release();
            throw error;
        }
        return backend;
    }

    async loadModel(modelPath: string, gpuLayers: number): Promise<AddonModel> {
        const reference = (await this.request({ kind: "loadModel", path: modelPath, gpuLayers })) as HandleReference;
        return new RemoteModel(this, reference);
    }

    async createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext> {
        const { loras, ...rest } = options;
        const reference = (await this.request({
            kind: "createContext",
            model: RemoteModel.handleOf(model),
            options: { ...rest, loras: loras.map(({ adapter, scale }) => ({ adapter: RemoteModel.handleOfLora(adapter), scale })) }
        })) as HandleReference;
        return new RemoteContext(this, reference);
    }

    /** Calls a method on an object the child holds. */
    call(handle: number, method: string, args: unknown[]): Promise<unknown> {
        return this.request({ kind: "call", handle, method, args });
    }

    /** Ends the child (it holds nothing that outlives it) and waits until it has exited. */
    async release(): Promise<void> {
        if (!this.released) {
            this.released = true;
            if (!this.crashed) this.child.kill();
        }
        await this.exited;
    }

    private request(request: RequestBody): Promise<unknown> {
        if (this.crashed) return Promise.reject(this.crashed);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            void this.listening.then(() => {
                if (this.pending.has(id)) this.child.postMessage({ ...request, id });
            });
        });
    }

    private onResponse(response: Response | { listening: true }): void {
        if ("listening" in response) {
            this.markListening();
            return;
        }
        const pending = this.pending.get(response.id);
        if (!pending) return;
        this.pending.delete(response.id);
        if (response.ok) pending.resolve(response.value);
        else pending.reject(reviveError(response.error));
    }
}

/** Errors keep their typed class where the child raised one of ours, else their message. */
function reviveError(error: { name: string; message: string; code?: string }): Error {
    if (error.code === "ERR_BACKEND") return new BackendError(error.message);
    if (error.code === "ERR_NATIVE_ADDON") return new NativeAddonError(error.message);
    const revived = new Error(error.message);
    revived.name = error.name;
    return revived;
}
