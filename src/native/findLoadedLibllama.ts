import path from "node:path";
import { loadAddon } from "./loadAddon.js";

// libllama.v0.4.0.so, libllama.cuda.v0.4.0.so, libllama.dylib, llama.v0.4.0.dll — but not
// libllama-common.so, which is node-llama-cpp's helper library, not llama.cpp's API.
const libllamaFileName = /^(lib)?llama(\.[\w.-]+)?\.(so|dylib|dll)$/i;

/**
 * The paths of every libllama mapped into this process. The addon asks the dynamic loader
 * itself (not process.report, which Electron's processes are not known to provide).
 */
export function findLoadedLibllamas(): string[] {
    const libraries = loadAddon()
        .loadedLibraries()
        .filter((file) => libllamaFileName.test(path.basename(file)));
    return [...new Set(libraries)];
}
