// Prints the include directories of the llama.cpp release that node-llama-cpp ships, extracting
// them once from its git bundle. binding.gyp calls this so the addon is always compiled against
// the exact llama.h of the libllama it will bind to at run time.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const llamaPackageDir = findPackageDir(createRequire(import.meta.url).resolve("node-llama-cpp"));
const bundlePath = path.join(llamaPackageDir, "llama", "gitRelease.bundle");
const outputDir = path.join(projectRoot, "build", "llama-headers");
const stampPath = path.join(outputDir, "bundle.stamp");

// node-llama-cpp's "exports" hides package.json, so walk up from its entry point instead.
function findPackageDir(entryPath) {
    for (let dir = path.dirname(entryPath); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "node-llama-cpp") return dir;
    }
    throw new Error(`cannot find the node-llama-cpp package above ${entryPath}`);
}

function bundleStamp() {
    const { size, mtimeMs } = statSync(bundlePath);
    return `${bundlePath}:${size}:${mtimeMs}`;
}

function extractHeaders() {
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-headers-"));
    try {
        execFileSync("git", ["clone", "--quiet", "--no-checkout", bundlePath, workDir], { stdio: ["ignore", "ignore", "inherit"] });
        execFileSync("git", ["-C", workDir, "checkout", "--quiet", "HEAD", "--", "include", "ggml/include"], {
            stdio: ["ignore", "ignore", "inherit"]
        });
        rmSync(outputDir, { recursive: true, force: true });
        mkdirSync(outputDir, { recursive: true });
        cpSync(path.join(workDir, "include"), path.join(outputDir, "include"), { recursive: true });
        cpSync(path.join(workDir, "ggml", "include"), path.join(outputDir, "ggml-include"), { recursive: true });
        writeFileSync(stampPath, bundleStamp());
    } finally {
        rmSync(workDir, { recursive: true, force: true });
    }
}

if (!existsSync(bundlePath)) {
    console.error(`llm-rerank: ${bundlePath} is missing; reinstall node-llama-cpp 3.21.1`);
    process.exit(1);
}
if (!existsSync(stampPath) || readFileSync(stampPath, "utf8") !== bundleStamp()) extractHeaders();
process.stdout.write([path.join(outputDir, "include"), path.join(outputDir, "ggml-include")].join(" "));
