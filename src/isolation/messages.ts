import type { SerializedError } from "../errors/errorTransport.js";
import type { AddonBatch, AddonContextDescription, AddonContextOptions, AddonModelDescription } from "../native/AddonTypes.js";
import type { Placement } from "../native/describePlacement.js";
import type { AddonDevice } from "../native/DeviceTypes.js";
import type { GpuOption, HostDescription, LlamaBuildOption } from "../native/HostDescription.js";

/** Context options as they travel: adapters by the child's handle. */
export type ChildContextOptions = Omit<AddonContextOptions, "loras"> & { loras: { adapter: number; scale: number }[] };

/**
 * Every request the parent (ChildProcessHost) sends the child (childMain), with its arguments and
 * its reply: one entry each. Native objects stay in the child and travel as numeric handles.
 */
export type ChildRequests = {
    init: { args: { gpu: GpuOption; build: LlamaBuildOption; fp16Arithmetic: boolean }; reply: HostDescription };
    readDevices: { args: Record<string, never>; reply: AddonDevice[] };
    loadModel: { args: { path: string; gpuLayers: number }; reply: { handle: number; description: AddonModelDescription } };
    tokenize: { args: { model: number; texts: string[]; parseSpecial: boolean }; reply: Int32Array[] };
    tokenTexts: { args: { model: number; tokens: Int32Array }; reply: string[] };
    tokenAttributes: { args: { model: number; tokens: Int32Array }; reply: Uint32Array };
    loadLora: { args: { model: number; path: string }; reply: { handle: number } };
    disposeModel: { args: { model: number }; reply: void };
    createContext: { args: { model: number; options: ChildContextOptions }; reply: { handle: number; description: AddonContextDescription } };
    decode: { args: { context: number; batch: AddonBatch; scoreTokenIds: Int32Array; memoryEdits: Int32Array }; reply: Float32Array };
    disposeContext: { args: { context: number }; reply: void };
    readPlacement: { args: { model: number; context: number; gpuLayers: number }; reply: Placement };
};

export type RequestKind = keyof ChildRequests;

/** What the parent sends: one message per request, numbered so replies can arrive in any order. */
export type RequestMessage = { [K in RequestKind]: { id: number; kind: K; args: ChildRequests[K]["args"] } }[RequestKind];

/** What the child sends: first { listening: true }, then one reply per request, errors serialized whole. */
export type ChildMessage = { listening: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export const requestKinds: readonly RequestKind[] = [
    "init",
    "readDevices",
    "loadModel",
    "tokenize",
    "tokenTexts",
    "tokenAttributes",
    "loadLora",
    "disposeModel",
    "createContext",
    "decode",
    "disposeContext",
    "readPlacement"
];
