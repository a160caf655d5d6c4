import type { AddonLora, AddonModel, AddonModelDescription } from "../native/AddonTypes.js";
import type { ChildProcessHost } from "./ChildProcessHost.js";

/** A LoRA adapter held by the child process. */
export class ChildLora implements AddonLora {
    readonly __brand?: "AddonLora";
    readonly handle: number;

    constructor(handle: number) {
        this.handle = handle;
    }
}

/** A llama_model held by the child process; its description is fixed at load, so it travels once. */
export class ChildModel implements AddonModel {
    readonly host: ChildProcessHost;
    readonly handle: number;
    private readonly description: AddonModelDescription;

    constructor(host: ChildProcessHost, handle: number, description: AddonModelDescription) {
        this.host = host;
        this.handle = handle;
        this.description = description;
    }

    tokenize(texts: string[], parseSpecial: boolean): Promise<Int32Array[]> {
        return this.host.request("tokenize", { model: this.handle, texts, parseSpecial });
    }

    tokenTexts(tokens: Int32Array): Promise<string[]> {
        return this.host.request("tokenTexts", { model: this.handle, tokens });
    }

    tokenAttributes(tokens: Int32Array): Promise<Uint32Array> {
        return this.host.request("tokenAttributes", { model: this.handle, tokens });
    }

    describe(): AddonModelDescription {
        return this.description;
    }

    async loadLora(path: string): Promise<AddonLora> {
        const { handle } = await this.host.request("loadLora", { model: this.handle, path });
        return new ChildLora(handle);
    }

    dispose(): Promise<void> {
        return this.host.request("disposeModel", { model: this.handle });
    }
}
