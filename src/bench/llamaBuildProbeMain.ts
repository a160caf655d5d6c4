// Run as its own process (node llamaBuildProbeMain.js <gpu>): prints, as JSON, which llama.cpp
// build node-llama-cpp loads here with the options llm-rerank uses. A process can hold one
// libllama only, so the question has to be asked in a fresh one; and it must be a file, not
// `node -e`, because node-llama-cpp tests prebuilt binaries in a fork that inherits execArgv.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { findLoadedLibllamas } from "../native/findLoadedLibllama.js";

export type LlamaBuildProbe = { buildType: string; gpu: string | false; libllamaPath: string | null };

const requested = process.argv[2] ?? "false";
const gpu = requested === "false" ? false : (requested as "auto" | "cuda" | "metal" | "vulkan");
const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false });
const probe: LlamaBuildProbe = { buildType: llama.buildType, gpu: llama.gpu, libllamaPath: findLoadedLibllamas()[0] ?? null };
process.stdout.write(JSON.stringify(probe));
await llama.dispose();
