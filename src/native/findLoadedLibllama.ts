import path from "node:path";

// libllama.v0.4.0.so, libllama.cuda.v0.4.0.so, libllama.dylib, llama.v0.4.0.dll — but not
// libllama-common.so, which is node-llama-cpp's helper library, not llama.cpp's API.
const libllamaFileName = /^(lib)?llama(\.[\w.-]+)?\.(so|dylib|dll)$/i;

/** The paths of every libllama mapped into this process, as the OS reports them. */
export function findLoadedLibllamas(): string[] {
    const report = process.report.getReport() as unknown as { sharedObjects?: string[] };
    const sharedObjects = report.sharedObjects ?? [];
    const libraries = sharedObjects.filter((file) => libllamaFileName.test(path.basename(file)));
    return [...new Set(libraries)];
}
