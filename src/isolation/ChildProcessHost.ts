import { BackendCrashedError } from "../errors/BackendCrashedError.js";
import { reviveError } from "../errors/errorTransport.js";
import { BackendError } from "../errors/errors.js";
import type { AddonContext, AddonContextOptions, AddonModel, ModelHost } from "../native/AddonTypes.js";
import type { Placement } from "../native/describePlacement.js";
import type { AddonDevice } from "../native/DeviceTypes.js";
import type { GpuOption, HostDescription, LlamaBuildOption } from "../native/HostDescription.js";
import { ChildContext } from "./ChildContext.js";
import { checkedIsolationEntryPoint } from "./childEntryPoint.js";
import { ChildLora, ChildModel } from "./ChildModel.js";
import { forkIsolationProcess, type IsolationProcess } from "./IsolationChannel.js";
import type { ChildMessage, ChildRequests, RequestKind, RequestMessage } from "./messages.js";

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * llama.cpp in a child process, one per Reranker: the same ModelHost as the in-process one, its
 * models and contexts proxied by ChildModel and ChildContext over typed messages (messages.ts).
 * Errors come back whole (their class, code and fields). When the child dies, every request in
 * flight and every later one rejects with a BackendCrashedError; this process goes on.
 */
export class ChildProcessHost implements ModelHost {
    description!: HostDescription;
    private readonly child: IsolationProcess;
    private readonly pending = new Map<number, Pending>();
    private nextId = 1;
    private crashed: BackendCrashedError | undefined;
    private readonly exited: Promise<void>;
    private released = false;
    /** Settles when the child says it listens: a port may drop what arrives before that. */
    private readonly listening: Promise<void>;
    private markListening!: () => void;

    private constructor(child: IsolationProcess) {
        this.child = child;
        this.listening = new Promise((resolve) => (this.markListening = resolve));
        let markExited: () => void;
        this.exited = new Promise((resolve) => (markExited = resolve));
        child.on("message", (message) => this.onMessage(message as ChildMessage));
        child.on("exit", (code, signal) => {
            this.crashed = new BackendCrashedError(code, signal ?? null, this.released ? "it was released" : "");
            for (const { reject } of this.pending.values()) reject(this.crashed);
            this.pending.clear();
            markExited();
        });
    }

    static async start(
        options: { gpu: GpuOption; build: LlamaBuildOption; fp16Arithmetic: boolean },
        spawn: (entryPoint: string) => IsolationProcess = forkIsolationProcess
    ): Promise<ChildProcessHost> {
        const host = new ChildProcessHost(spawn(checkedIsolationEntryPoint()));
        try {
            const description = await host.request("init", options);
            host.description = { ...description, isolation: "process", ...(host.child.pid !== undefined ? { childPid: host.child.pid } : {}) };
        } catch (error) {
            await host.release();
            throw error;
        }
        return host;
    }

    async loadModel(modelPath: string, gpuLayers: number): Promise<AddonModel> {
        const { handle, description } = await this.request("loadModel", { path: modelPath, gpuLayers });
        return new ChildModel(this, handle, description);
    }

    async createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext> {
        const { loras, ...rest } = options;
        const { handle, description } = await this.request("createContext", {
            model: this.handleOf(model),
            options: { ...rest, loras: loras.map(({ adapter, scale }) => ({ adapter: this.loraHandleOf(adapter), scale })) }
        });
        return new ChildContext(this, handle, description);
    }

    readDevices(): Promise<AddonDevice[]> {
        return this.request("readDevices", {});
    }

    readPlacement(model: AddonModel, context: AddonContext, gpuLayers: number): Promise<Placement> {
        if (!(context instanceof ChildContext) || context.host !== this) throw new BackendError("a context of another host was given to this child process");
        return this.request("readPlacement", { model: this.handleOf(model), context: context.handle, gpuLayers });
    }

    /** Ends the child (it holds nothing that outlives it) and waits until it has exited. */
    async release(): Promise<void> {
        if (!this.released) {
            this.released = true;
            if (!this.crashed) this.child.kill();
        }
        await this.exited;
    }

    /** One typed request to the child; its reply, or its error revived with its class. */
    request<K extends RequestKind>(kind: K, args: ChildRequests[K]["args"]): Promise<ChildRequests[K]["reply"]> {
        if (this.crashed) return Promise.reject(this.crashed);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
            void this.listening.then(() => {
                if (this.pending.has(id)) this.child.postMessage({ id, kind, args } as RequestMessage);
            });
        });
    }

    private handleOf(model: AddonModel): number {
        if (!(model instanceof ChildModel) || model.host !== this) throw new BackendError("a model of another host was given to this child process");
        return model.handle;
    }

    private loraHandleOf(adapter: unknown): number {
        if (!(adapter instanceof ChildLora)) throw new BackendError("an adapter of another host was given to this child process");
        return adapter.handle;
    }

    private onMessage(message: ChildMessage): void {
        if ("listening" in message) {
            this.markListening();
            return;
        }
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(reviveError(message.error));
    }
}
