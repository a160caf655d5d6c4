import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { GpuOption } from "./HostDescription.js";

/**
 * Which local llama.cpp build `llm-rerank build-llama` made last, and with which custom CMake
 * options. node-llama-cpp finds a local build only under a folder name hashed from those options,
 * and takes them from getLlama's cmakeOptions or NODE_LLAMA_CPP_CMAKE_OPTION_* variables; this
 * record is what lets a later process, with no such variable set, pass the same options and find
 * the build.
 *
 * It lives in node-llama-cpp's localBuilds folder, beside the builds it names, so the two share a
 * lifetime: `npm ci`, reinstalling node-llama-cpp or `node-llama-cpp source clear` deletes both,
 * and a record can never outlive its build by an upgrade of the package (which replaces the folder).
 */
export type LocalBuildRecord = {
    format: 1;
    /** Custom CMake options of the build, exactly as node-llama-cpp hashed them into its folder name. */
    cmakeOptions: Record<string, string>;
    /** The gpu option it was built for; false: CPU only. */
    gpu: Exclude<GpuOption, "auto">;
    /** The node-llama-cpp version that built it: a different version would not find the build anyway. */
    nodeLlamaCppVersion: string;
    builtAt: string;
};

export const localBuildRecordFileName = "llm-rerank-build.json";

export type LocalBuildRecordReading = { record: LocalBuildRecord; problem?: undefined } | { record?: undefined; problem: string | undefined };

/** node-llama-cpp's folder of local builds: node_modules/node-llama-cpp/llama/localBuilds. */
export function localBuildsDirectory(): string {
    return path.join(nodeLlamaCppPackageRoot(), "llama", "localBuilds");
}

export function nodeLlamaCppVersion(): string {
    const packageJson = JSON.parse(readFileSync(path.join(nodeLlamaCppPackageRoot(), "package.json"), "utf8")) as { version?: unknown };
    return typeof packageJson.version === "string" ? packageJson.version : "unknown";
}

/**
 * The record, or why it cannot be used: problem undefined when there is none (no local build made
 * by llm-rerank), a sentence when the file is unreadable, malformed, or from another node-llama-cpp.
 */
export function readLocalBuildRecord(directory: string = localBuildsDirectory(), expectedVersion: string = nodeLlamaCppVersion()): LocalBuildRecordReading {
    const file = path.join(directory, localBuildRecordFileName);
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return { problem: undefined };
        return { problem: `${file} cannot be read: ${(error as Error).message}` };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return { problem: `${file} is not JSON; run llm-rerank build-llama again` };
    }
    if (!isLocalBuildRecord(parsed)) return { problem: `${file} is not a build record this llm-rerank reads; run llm-rerank build-llama again` };
    if (parsed.nodeLlamaCppVersion !== expectedVersion) {
        return {
            problem: `${file} records a build by node-llama-cpp ${parsed.nodeLlamaCppVersion}, this is ${expectedVersion}; run llm-rerank build-llama again`
        };
    }
    return { record: parsed };
}

/** Written to a temporary name and renamed, so a reader never sees half a record. */
export function writeLocalBuildRecord(record: LocalBuildRecord, directory: string = localBuildsDirectory()): string {
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, localBuildRecordFileName);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temporary, file);
    return file;
}

function isLocalBuildRecord(value: unknown): value is LocalBuildRecord {
    if (typeof value !== "object" || value === null) return false;
    const record = value as Record<string, unknown>;
    const options = record.cmakeOptions;
    return (
        record.format === 1 &&
        typeof options === "object" &&
        options !== null &&
        !Array.isArray(options) &&
        Object.values(options).every((option) => typeof option === "string") &&
        (record.gpu === false || record.gpu === "cuda" || record.gpu === "metal" || record.gpu === "vulkan") &&
        typeof record.nodeLlamaCppVersion === "string" &&
        typeof record.builtAt === "string"
    );
}

function nodeLlamaCppPackageRoot(): string {
    const entry = createRequire(import.meta.url).resolve("node-llama-cpp");
    return path.resolve(path.dirname(entry), "..");
}
