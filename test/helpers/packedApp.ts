import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// The nested npm must not inherit the settings of an `npm test` that started this process.
function npmEnvironment(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
}

export function runNpm(args: string[], cwd: string): string {
    return execFileSync("npm", args, { cwd, env: npmEnvironment(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });
}

/**
 * Names this test run: vitest's forks share a parent process, whose pid and start time (field 22 of
 * /proc/<pid>/stat, so a reused pid is a new run) name it; elsewhere, the pid alone.
 */
function testRunId(): string {
    try {
        const stat = readFileSync(`/proc/${process.ppid}/stat`, "utf8");
        const startTime = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
        return `${process.ppid}-${startTime}`;
    } catch {
        return String(process.ppid);
    }
}

/**
 * A copy of this checkout's files as git sees them (tracked, and untracked ones not ignored), with
 * its node_modules linked: npm pack's prepack rebuilds the addon in build/, which must not happen
 * under the test files that load it from this checkout at the same time.
 */
function checkoutCopy(destination: string): string {
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
        .split("\0")
        .filter((file) => file !== "" && existsSync(path.join(repoRoot, file)));
    for (const file of files) {
        mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
        copyFileSync(path.join(repoRoot, file), path.join(destination, file));
    }
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(destination, "node_modules"));
    const tinyModel = path.join(repoRoot, "models", "tiny-gemma-f32.gguf");
    if (existsSync(tinyModel)) {
        mkdirSync(path.join(destination, "models"), { recursive: true });
        symlinkSync(tinyModel, path.join(destination, "models", "tiny-gemma-f32.gguf"));
    }
    return destination;
}

/**
 * `npm pack` of this repository, prepack (the prebuild) included, once per test run, in a copy of the
 * checkout (so this checkout's build/ is never rebuilt under the tests that load it): the test files
 * that install the package share one tarball. The first file to get here packs, under a lock, and
 * the others wait for it.
 * Returns a copy in `destination`.
 */
export function packRepository(destination: string): string {
    const { name, version } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
    const fileName = `${name}-${version}.tgz`;
    const shared = path.join(tmpdir(), `llm-rerank-pack-${testRunId()}`);
    const tarball = path.join(shared, fileName);
    const lock = `${shared}.lock`;
    for (;;) {
        if (existsSync(path.join(shared, "done"))) break;
        try {
            mkdirSync(lock);
        } catch {
            // Another file is packing: wait for it (a pack takes about 20 s; give up after 10 min).
            if (Date.now() - statSync(lock).mtimeMs > 600_000) throw new Error(`a stale pack lock: ${lock}`);
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
            continue;
        }
        try {
            rmSync(shared, { recursive: true, force: true });
            mkdirSync(shared, { recursive: true });
            runNpm(["pack", "--pack-destination", shared, "--loglevel=error"], checkoutCopy(path.join(shared, "checkout")));
            writeFileSync(path.join(shared, "done"), "");
        } finally {
            rmSync(lock, { recursive: true, force: true });
        }
    }
    const copy = path.join(destination, fileName);
    copyFileSync(tarball, copy);
    return copy;
}

/**
 * An app in an empty folder that installs the tarball as a user would, from the npm cache where
 * it can (the registry otherwise). Returns the install log, lifecycle scripts' output included.
 */
export function installTarball(appDir: string, tarball: string): string {
    writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name: "packed-app", version: "1.0.0", private: true, type: "module" }));
    // --omit=dev: a production install (an installed package's devDependencies never come anyway)
    return runNpm(["install", tarball, "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", "--loglevel=info"], appDir);
}

/** Runs the installed package's CLI as a user does (`npx llm-rerank ...`) in `appDir`; stdout, stderr and the exit status. */
export function runInstalledCli(appDir: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync("npx", ["--no-install", "llm-rerank", ...args], {
        cwd: appDir,
        env: { ...npmEnvironment(), ...env },
        encoding: "utf8",
        maxBuffer: 64 * 2 ** 20
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The README's API in a plain ES module (Node 20 has no `await using`): load, rerank, score,
 * then print what the library loaded. Errors print as { error } so a test can read them.
 */
export const readmeApiScript = `import { Reranker } from "llm-rerank";
try {
    const reranker = await Reranker.load({ model: process.argv[2], gpu: false });
    const ranked = await reranker.rerank("how do tides work?", ["The moon pulls on the oceans.", "Bananas are yellow."], { topN: 5 });
    const scores = await reranker.score([["query", "passage"]], { normalize: true });
    const { addon, libllamaPath } = reranker.describe().backend;
    await reranker.dispose();
    console.log(JSON.stringify({ ranked, scores, addon, libllamaPath }));
} catch (error) {
    console.log(JSON.stringify({ error: { name: error.name, code: error.code, message: error.message } }));
}
`;

export type ReadmeApiResult = {
    ranked?: { index: number; score: number; passage: string }[];
    scores?: number[];
    addon?: { path: string; origin: string };
    libllamaPath?: string;
    error?: { name: string; code: string; message: string };
};

export function runReadmeApi(script: string, modelPath: string, nodeArgs: string[] = []): ReadmeApiResult {
    const env = { ...process.env };
    delete env.LLM_RERANK_ADDON_PATH;
    const output = execFileSync(process.execPath, [...nodeArgs, script, modelPath], { env, encoding: "utf8" });
    return JSON.parse(output.trim().split("\n").at(-1)!) as ReadmeApiResult;
}
