import type { AddonBatch, AddonContext, AddonContextDescription } from "../native/AddonTypes.js";
import type { ChildProcessHost } from "./ChildProcessHost.js";

/** A llama_context held by the child process: one message per decode, memory edits included. */
export class ChildContext implements AddonContext {
    readonly host: ChildProcessHost;
    readonly handle: number;
    private readonly description: AddonContextDescription;

    constructor(host: ChildProcessHost, handle: number, description: AddonContextDescription) {
        this.host = host;
        this.handle = handle;
        this.description = description;
    }

    decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array> {
        return this.host.request("decode", { context: this.handle, batch, scoreTokenIds, memoryEdits });
    }

    describe(): AddonContextDescription {
        return this.description;
    }

    dispose(): Promise<void> {
        return this.host.request("disposeContext", { context: this.handle });
    }
}
