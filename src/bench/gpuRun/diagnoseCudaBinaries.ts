import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Why node-llama-cpp's prebuilt CUDA build cannot load here, as far as the dynamic linker tells:
 * the libraries its ggml-cuda backend needs and this machine lacks (ldd), for the main build
 * (@node-llama-cpp/linux-x64-cuda, CUDA 13) and its fallback (@node-llama-cpp/linux-x64-cuda-ext,
 * CUDA 12). Linux x64 only; elsewhere, or when ldd cannot run, undefined. Used only after a CUDA
 * load failed, so it costs nothing on the way that works.
 */
export function diagnoseCudaBinaries(): string | undefined {
    if (process.platform !== "linux" || process.arch !== "x64") return undefined;
    const builds = [
        { name: "@node-llama-cpp/linux-x64-cuda", library: ["bins", "linux-x64-cuda", "libggml-cuda.so"], cuda: "13" },
        { name: "@node-llama-cpp/linux-x64-cuda-ext", library: ["bins", "linux-x64-cuda", "fallback", "libggml-cuda.so"], cuda: "12" }
    ];
    const findings: string[] = [];
    for (const build of builds) {
        const packageDirectory = resolvePackageDirectory(build.name);
        if (packageDirectory === undefined) {
            findings.push(`${build.name} is not installed (an install without optional dependencies?)`);
            continue;
        }
        const library = path.join(packageDirectory, ...build.library);
        if (!existsSync(library)) {
            findings.push(`${build.name} has no ${build.library.join("/")}`);
            continue;
        }
        let output: string;
        try {
            output = execFileSync("ldd", [library], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
        } catch {
            return undefined;
        }
        // ggml's own libraries come from the main build's folder, already mapped when the fallback loads
        const missing = [...output.matchAll(/^\s*(\S+) => not found/gm)].map((match) => match[1]!).filter((name) => !name.startsWith("libggml"));
        findings.push(
            missing.length === 0
                ? `${build.name} (CUDA ${build.cuda}) finds every library it links`
                : `${build.name} (CUDA ${build.cuda}) lacks ${missing.join(", ")}`
        );
    }
    return (
        `${findings.join("; ")}. libcuda.so.1 comes with the NVIDIA driver; libcudart and libcublas with the CUDA runtime ` +
        "(CUDA Toolkit 13, or 12 for the fallback), which must be on the linker's path (ldconfig or LD_LIBRARY_PATH)"
    );
}

function resolvePackageDirectory(name: string): string | undefined {
    try {
        // dist/index.js inside the package: two levels up is its folder
        return path.dirname(path.dirname(fileURLToPath(import.meta.resolve(name))));
    } catch {
        return undefined;
    }
}
