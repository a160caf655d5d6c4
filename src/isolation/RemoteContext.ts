import type { AddonBatch, AddonContext, AddonContextDescription } from "../native/AddonTypes.js";
import type { IsolatedBackend } from "./IsolatedBackend.js";
import type { HandleReference } from "./protocol.js";

/** A llama_context held by the isolated process: one message per decode, edits included. */
export class RemoteContext implements AddonContext {
    private readonly backend: IsolatedBackend;
    private readonly handle: number;
    private readonly description: AddonContextDescription;

    constructor(backend: IsolatedBackend, reference: HandleReference) {
        this.backend = backend;
        this.handle = reference.handle;
        this.description = reference.description as AddonContextDescription;
    }

    decode(batch: AddonBatch, scoreTokenIds: Int32Array, memoryEdits: Int32Array): Promise<Float32Array> {
        return this.backend.call(this.handle, "decode", [batch, scoreTokenIds, memoryEdits]) as Promise<Float32Array>;
    }

    describe(): AddonContextDescription {
        return this.description;
    }

    async dispose(): Promise<void> {
        await this.backend.call(this.handle, "dispose", []);
    }
}
