import type { AddonLora, AddonModel, AddonModelDescription } from "../native/AddonTypes.js";
import type { IsolatedBackend } from "./IsolatedBackend.js";
import type { HandleReference } from "./protocol.js";

/** An adapter held by the isolated process. */
class RemoteLora implements AddonLora {
    readonly __brand?: "AddonLora";
    readonly handle: number;

    constructor(handle: number) {
        this.handle = handle;
    }
}

/** A llama_model held by the isolated process; its description is fixed at load, so it travels once. */
export class RemoteModel implements AddonModel {
    private readonly backend: IsolatedBackend;
    private readonly handle: number;
    private readonly description: AddonModelDescription;

    constructor(backend: IsolatedBackend, reference: HandleReference) {
        this.backend = backend;
        this.handle = reference.handle;
        this.description = reference.description as AddonModelDescription;
    }

    static handleOf(model: AddonModel): number {
        if (!(model instanceof RemoteModel)) throw new TypeError("an isolated context needs a model of the same isolated process");
        return model.handle;
    }

    static handleOfLora(lora: AddonLora): number {
        if (!(lora instanceof RemoteLora)) throw new TypeError("an isolated context needs an adapter of the same isolated process");
        return lora.handle;
    }

    tokenize(texts: string[], parseSpecial: boolean): Promise<Int32Array[]> {
        return this.backend.call(this.handle, "tokenize", [texts, parseSpecial]) as Promise<Int32Array[]>;
    }

    tokenTexts(tokens: Int32Array): Promise<string[]> {
        return this.backend.call(this.handle, "tokenTexts", [tokens]) as Promise<string[]>;
    }

    tokenAttributes(tokens: Int32Array): Promise<Uint32Array> {
        return this.backend.call(this.handle, "tokenAttributes", [tokens]) as Promise<Uint32Array>;
    }

    describe(): AddonModelDescription {
        return this.description;
    }

    async loadLora(path: string): Promise<AddonLora> {
        const reference = (await this.backend.call(this.handle, "loadLora", [path])) as HandleReference;
        return new RemoteLora(reference.handle);
    }

    async dispose(): Promise<void> {
        await this.backend.call(this.handle, "dispose", []);
    }
}
