// npm run soak -- --http: `llm-rerank serve --isolation process` as a real child on 127.0.0.1:0,
// driven over HTTP with a seeded mix of normal requests of mixed sizes, clients that disconnect
// mid-request and oversized bodies (413), while the llama.cpp child is killed (SIGKILL) mid-run.
// It samples the serve process's RSS (VmRSS) and the llama.cpp child's, prints a table, and fails
// when a request is answered other than expected, the server does not come back after a kill, a
// llama.cpp process outlives serve, or the serve process's RSS grows past the bound in the second
// half of the run. Every loop is bounded in count and in time.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SeededRandom } from "../../testModel/SeededRandom.js";

export type HttpSoakOptions = {
    model: string;
    requests: number;
    kills: number;
    seed: number;
    threads: number | undefined;
    rssBoundMB: number;
    maxSeconds: number;
};

type Answer = { status: number; type: string | undefined; scores: number[] | undefined };
type Kind = "normal" | "disconnect" | "oversized";

const maxBodyBytes = 256 * 1024;
/**
 * What serve's heap may gain over the run, after a full collection. Its live heap is the Reranker's
 * parent side plus the HTTP server: a leaked Reranker per restart, or 20 KB leaked per request over
 * 400 requests, exceeds it.
 */
const heapBoundMB = 8;
const concurrency = 8;
const mb = (kilobytes: number) => (kilobytes / 1024).toFixed(1);

/** VmRSS of a process, in kB (Linux /proc); undefined once it is gone. */
function rssKB(pid: number): number | undefined {
    try {
        const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return match ? Number(match[1]) : undefined;
    } catch {
        return undefined;
    }
}

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

function post(url: string, body: string, signal?: AbortSignal): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const request = httpRequest(url, { method: "POST", headers: { "Content-Type": "application/json" }, signal }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("error", reject);
            response.on("end", () => {
                let parsed: { error?: { type?: string }; results?: { index: number; relevance_score: number }[] } = {};
                try {
                    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof parsed;
                } catch {
                    // not JSON: reported by its status
                }
                resolve({ status: response.statusCode!, type: parsed.error?.type, scores: parsed.results?.map((result) => result.relevance_score) });
            });
        });
        request.on("error", reject);
        request.end(body);
    });
}

function get(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const request = httpRequest(url, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode!));
        });
        request.on("error", reject);
        request.end();
    });
}

export async function soakHttp(options: HttpSoakOptions): Promise<number> {
    const random = new SeededRandom(options.seed, "soak-http");
    const pick = <T>(items: readonly T[]) => items[random.nextUint32() % items.length]!;
    const words = ["tide", "moon", "ocean", "gravity", "潮汐", "🌊", "banana", "pull", "water", "<bos>", "\u0000", "e\u0301"];
    const text = (length: number) => Array.from({ length }, () => pick(words)).join(" ");

    const cli = fileURLToPath(new URL("../../cli/cli.js", import.meta.url));
    // The hook lets the soak collect garbage in serve and read its heap (soakGcHook.ts).
    const gcHook = pathToFileURL(fileURLToPath(new URL("./soakGcHook.js", import.meta.url))).href;
    const args = [
        "--expose-gc",
        "--import",
        gcHook,
        cli,
        "serve",
        "--isolation",
        "process",
        "--model",
        options.model,
        "--gpu",
        "cpu",
        "--port",
        "0",
        "--max-body-bytes",
        String(maxBodyBytes)
    ];
    if (options.threads !== undefined) args.push("--threads", String(options.threads));
    const serve = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => serve.on("exit", (code) => resolve(code)));
    const llamaPids: number[] = [];
    const started = await new Promise<{ url: string }>((resolve, reject) => {
        serve.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            for (const match of stderr.matchAll(/(?:runs in process|restarted \(attempt \d+, process) (\d+)/g)) {
                const pid = Number(match[1]);
                if (!llamaPids.includes(pid)) llamaPids.push(pid);
            }
            const listening = /serving .* at (http:\/\/\S+);/.exec(stderr);
            if (listening) resolve({ url: listening[1]! });
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
    });
    const deadline = Date.now() + options.maxSeconds * 1000;
    const rerankUrl = `${started.url}/v1/rerank`;
    const failures: string[] = [];
    const outcomes: Record<string, number> = {};
    const count = (key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
    const samples: { request: number; serveKB: number; llamaKB: number | undefined; llamaPid: number; event: string }[] = [];
    const sample = (request: number, event = "") => {
        const llamaPid = llamaPids.at(-1)!;
        samples.push({ request, serveKB: rssKB(serve.pid!) ?? 0, llamaKB: rssKB(llamaPid), llamaPid, event });
    };

    /** Waits (bounded) for /health to answer 200 again after a kill. */
    const awaitHealthy = async () => {
        for (let i = 0; i < 600; i++) {
            if ((await get(`${started.url}/health`).catch(() => 0)) === 200) return true;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return false;
    };

    /** serve's heap in use and RSS right after a full collection (SIGUSR2 to its soak hook), in kB. */
    let gcReports = 0;
    const collected = async () => {
        serve.kill("SIGUSR2");
        for (let i = 0; i < 500; i++) {
            const reports = [...stderr.matchAll(/soak-gc heapUsed=(\d+) rss=(\d+)/g)];
            if (reports.length > gcReports) {
                gcReports = reports.length;
                const last = reports.at(-1)!;
                return { heapKB: Number(last[1]) / 1024, rssKB: Number(last[2]) / 1024 };
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error("serve did not answer the soak's GC signal");
    };

    // Warm up before the first reading: the first requests grow V8's heap and allocator pools once.
    for (let i = 0; i < 8; i++) await post(rerankUrl, JSON.stringify({ query: text(3), documents: Array.from({ length: 10 }, () => text(60)) }));
    const startCollected = await collected();
    sample(0, "start");
    const killAt = new Set(Array.from({ length: options.kills }, (_, k) => Math.floor(((k + 1) * options.requests) / (options.kills + 1))));
    const sampleEvery = Math.max(concurrency, Math.floor(options.requests / 20 / concurrency) * concurrency);
    let sent = 0;
    let kills = 0;
    const fullHealthChecks: boolean[] = [];

    while (sent < options.requests && Date.now() < deadline) {
        const wave = Math.min(concurrency, options.requests - sent);
        const killHere = [...killAt].some((at) => at >= sent && at < sent + wave);
        const calls: Promise<void>[] = [];
        for (let i = 0; i < wave; i++) {
            const roll = random.nextUint32() % 10;
            const kind: Kind = roll < 7 ? "normal" : roll < 9 ? "disconnect" : "oversized";
            const size = pick([1, 3, 10, 40]);
            const body =
                kind === "oversized"
                    ? JSON.stringify({ query: "q", documents: ["x".repeat(maxBodyBytes + 1024 * (1 + (random.nextUint32() % 64)))] })
                    : JSON.stringify({
                          query: text(1 + (random.nextUint32() % 8)),
                          documents: Array.from({ length: size }, () => text(5 + (random.nextUint32() % 120)))
                      });
            const controller = new AbortController();
            if (kind === "disconnect") setTimeout(() => controller.abort(), random.nextUint32() % 30);
            calls.push(
                post(rerankUrl, body, controller.signal).then(
                    (answer) => {
                        const key = `${kind} ${answer.status}${answer.type ? ` ${answer.type}` : ""}`;
                        count(key);
                        const expected =
                            (answer.status === 200 && kind !== "oversized" && answer.scores?.length === size && answer.scores.every(Number.isFinite)) ||
                            (answer.status === 413 && kind === "oversized") ||
                            (answer.status === 503 && (answer.type === "backend_crashed" || answer.type === "backend_unavailable"));
                        if (!expected) failures.push(`unexpected answer: ${key}`);
                    },
                    (error: Error) => {
                        if (kind === "disconnect" && error.name === "AbortError") count("disconnect (client gone)");
                        else failures.push(`${kind} request failed: ${error.message}`);
                    }
                )
            );
        }
        sent += wave;
        if (killHere) {
            // Mid-wave: the requests above are being scored when the child dies.
            await new Promise((resolve) => setTimeout(resolve, 5 + (random.nextUint32() % 20)));
            process.kill(llamaPids.at(-1)!, "SIGKILL");
            kills++;
        }
        await Promise.all(calls);
        if (killHere) {
            const back = await awaitHealthy();
            fullHealthChecks.push(back);
            if (!back) failures.push(`the server did not answer /health 200 again after kill ${kills}`);
            // The restart's log line (with the new pid) may trail /health by a moment.
            for (let i = 0; i < 100 && llamaPids.length < kills + 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
            sample(sent, `after kill ${kills}`);
        } else if (sent % sampleEvery === 0) sample(sent);
    }
    sample(sent, "end");
    const endCollected = await collected();
    const timedOut = sent < options.requests;

    serve.kill("SIGTERM");
    const exitCode = await exited;
    if (exitCode !== 0) failures.push(`serve exited with ${exitCode} on SIGTERM; its stderr ends:\n${stderr.slice(-3000)}`);
    const leftover = llamaPids.filter(alive);
    if (leftover.length > 0) failures.push(`llama.cpp processes outlived serve: ${leftover.join(", ")}`);
    if (llamaPids.length !== kills + 1) failures.push(`expected ${kills + 1} llama.cpp processes (one per kill, plus the first), saw ${llamaPids.length}`);

    // Flat, two ways. The heap after a full collection gains less than heapBoundMB over the run.
    // RSS gains less than the RSS bound over the second half, which holds a kill (kills fall at
    // 1/3, 2/3, ... of the run): the first restart raises RSS once (two Rerankers' tables coexist
    // until V8 collects the old one; the allocator keeps those pages and later restarts reuse them),
    // so a step at a later restart, or creep with requests, is what a leak looks like.
    const retainedHeapKB = endCollected.heapKB - startCollected.heapKB;
    const half = samples.slice(Math.floor(samples.length / 2));
    const secondHalfGrowthKB = Math.max(...half.map((s) => s.serveKB)) - half[0]!.serveKB;
    console.log("request  serve RSS MB  llama.cpp RSS MB  llama.cpp pid  event");
    for (const s of samples) {
        console.log(
            `${String(s.request).padStart(7)}  ${mb(s.serveKB).padStart(12)}  ${(s.llamaKB === undefined ? "-" : mb(s.llamaKB)).padStart(16)}  ${String(s.llamaPid).padStart(13)}  ${s.event}`
        );
    }
    console.log(
        JSON.stringify(
            {
                requests: sent,
                kills,
                llamaProcesses: llamaPids.length,
                outcomes: Object.fromEntries(Object.entries(outcomes).sort()),
                serveHeapAfterGcStartMB: mb(startCollected.heapKB),
                serveHeapAfterGcEndMB: mb(endCollected.heapKB),
                serveHeapRetainedMB: mb(retainedHeapKB),
                heapBoundMB: heapBoundMB,
                serveRssAfterGcStartMB: mb(startCollected.rssKB),
                serveRssAfterGcEndMB: mb(endCollected.rssKB),
                serveRssPeakMB: mb(Math.max(...samples.map((s) => s.serveKB))),
                serveRssSecondHalfGrowthMB: mb(secondHalfGrowthKB),
                rssBoundMB: options.rssBoundMB,
                serveExitCode: exitCode,
                timedOut
            },
            null,
            2
        )
    );
    if (retainedHeapKB > heapBoundMB * 1024)
        failures.push(`serve's heap after GC grew ${mb(retainedHeapKB)} MB over the run, more than the ${heapBoundMB} MB bound`);
    if (secondHalfGrowthKB > options.rssBoundMB * 1024)
        failures.push(`serve's RSS grew ${mb(secondHalfGrowthKB)} MB over the second half of the run, more than the ${options.rssBoundMB} MB bound`);
    for (const failure of failures.slice(0, 20)) console.error(`soak --http: ${failure}`);
    if (failures.length > 20) console.error(`soak --http: ... and ${failures.length - 20} more`);
    return failures.length === 0 ? 0 : 1;
}
