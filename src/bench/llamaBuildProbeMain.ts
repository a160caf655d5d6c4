// Run as its own process (node llamaBuildProbeMain.js <gpu>): prints, as JSON, which llama.cpp
// build node-llama-cpp loads here with the options llm-rerank uses (the local build record
// included). A process can hold one libllama only, so the question has to be asked in a fresh one;
// and it must be a file, not `node -e`, because node-llama-cpp tests prebuilt binaries in a fork
// that inherits execArgv.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { describeBlas, type BlasDescription } from "../native/describeBlas.js";
import { findLoadedLibllamas } from "../native/findLoadedLibllama.js";
import { llamaSelectionOptions } from "../native/llamaSelectionOptions.js";
import { readLocalBuildRecord } from "../native/LocalBuildRecord.js";

export type LlamaBuildProbe = {
    buildType: string;
    gpu: string | false;
    libllamaPath: string | null;
    cmakeOptions: Record<string, string>;
    blas: BlasDescription | null;
};

const requested = process.argv[2] ?? "false";
const gpu = requested === "false" ? false : (requested as "auto" | "cuda" | "metal" | "vulkan");
const selection = llamaSelectionOptions("auto", readLocalBuildRecord().record, process.env);
const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false, ...selection });
const probe: LlamaBuildProbe = {
    buildType: llama.buildType,
    gpu: llama.gpu,
    libllamaPath: findLoadedLibllamas()[0] ?? null,
    cmakeOptions: { ...llama.cmakeOptions },
    blas: describeBlas(llama.cmakeOptions)
};
process.stdout.write(JSON.stringify(probe));
await llama.dispose();
