import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import { RerankServer } from "../server/RerankServer.js";
import { OriginPolicy } from "../server/OriginPolicy.js";
import { SupervisedReranker } from "../server/SupervisedReranker.js";
import { defaultServerLimits } from "../server/ServerLimits.js";
import { integerFlag, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";

export const serveUsage = `llm-rerank serve --model M.gguf [--host 127.0.0.1] [--port 8012] [--api-key K] [--model-name NAME]
                 [--allow-host NAME ...] [--allow-origin ORIGIN ...] [--max-body-bytes N] [--max-documents N]
                 [--max-input-bytes N] [--request-timeout S] [--max-queued N] [--shutdown-timeout S]
                 [--max-connections N] [--headers-timeout S] [--keep-alive-timeout S] [--isolation process|none]
                 [--overflow truncate|max-window] (+ the common flags)

Serves POST /v1/rerank, /rerank, /v2/rerank, /reranking (Cohere, Jina, llama-server, vLLM, TEI shapes),
POST /score and /v1/score (vLLM), GET /health and /v1/models. The API key may also come from the
LLM_RERANK_API_KEY environment variable (keeps it out of the process list).
--isolation process (the default) runs llama.cpp in a child process: if it dies, requests in flight
get 503 backend_crashed, /health answers 503 with the reason, and a new one is started after
0.25 s, doubling per quick failure up to 30 s; after 10 failed reloads in a row serve exits 1.
--isolation none runs it in the server's process (about 5% faster; a llama.cpp abort ends the server).
--overflow max-window scores passages longer than the budget in windows, for requests without an
"overflow" field (default truncate; docs/long-documents.md).
Bodies must be sent with Content-Type: application/json (415 otherwise). A request with an Origin
header (a web page in a browser) is refused with 403 unless --allow-origin lists that origin
(e.g. http://localhost:5173; repeatable; '*' only together with an API key).
Defaults: --max-body-bytes ${defaultServerLimits.maxBodyBytes} (10 MiB), --max-documents ${defaultServerLimits.maxDocuments},
          --max-input-bytes ${defaultServerLimits.maxInputBytes} (16 MiB of query + document text over all pairs),
          --request-timeout ${defaultServerLimits.requestTimeoutMs / 1000} (0: none), --max-queued ${defaultServerLimits.maxQueuedRequests}, --shutdown-timeout ${defaultServerLimits.shutdownGraceMs / 1000},
          --max-connections ${defaultServerLimits.maxConnections}, --headers-timeout ${defaultServerLimits.headersTimeoutMs / 1000}, --keep-alive-timeout ${defaultServerLimits.keepAliveTimeoutMs / 1000}.`;

/** `llm-rerank serve`: one Reranker behind HTTP until SIGINT or SIGTERM. */
export async function serveCommand(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: {
            ...rerankerFlags,
            host: { type: "string" },
            port: { type: "string" },
            "api-key": { type: "string" },
            "model-name": { type: "string" },
            "allow-host": { type: "string", multiple: true },
            "allow-origin": { type: "string", multiple: true },
            "max-body-bytes": { type: "string" },
            "max-documents": { type: "string" },
            "max-input-bytes": { type: "string" },
            "max-connections": { type: "string" },
            "headers-timeout": { type: "string" },
            "keep-alive-timeout": { type: "string" },
            "request-timeout": { type: "string" },
            "max-queued": { type: "string" },
            "shutdown-timeout": { type: "string" },
            isolation: { type: "string" },
            overflow: { type: "string" },
            help: { type: "boolean", short: "h" }
        }
    });
    if (values.help) {
        console.log(serveUsage);
        return 0;
    }
    const port = atLeast(integerFlag(values, "port") ?? 8012, 0, "port");
    if (port > 65535) throw new InvalidArgumentError(`--port expects 0 to 65535, got ${port}`);
    const apiKey = values["api-key"] ?? process.env.LLM_RERANK_API_KEY;
    if (apiKey === "") throw new InvalidArgumentError("--api-key is empty");
    const seconds = (name: string, fallbackMs: number, positive = false) => {
        const raw = values[name as keyof typeof values];
        if (raw === undefined) return fallbackMs;
        const value = Number(raw);
        const ms = Math.round(value * 1000);
        if (!Number.isFinite(value) || ms < (positive ? 1 : 0))
            throw new InvalidArgumentError(`--${name} expects seconds ${positive ? "> 0" : ">= 0"}, got ${String(raw)}`);
        return ms;
    };
    const limits = {
        maxBodyBytes: atLeast(integerFlag(values, "max-body-bytes") ?? defaultServerLimits.maxBodyBytes, 1, "max-body-bytes"),
        maxDocuments: atLeast(integerFlag(values, "max-documents") ?? defaultServerLimits.maxDocuments, 1, "max-documents"),
        maxInputBytes: atLeast(integerFlag(values, "max-input-bytes") ?? defaultServerLimits.maxInputBytes, 1, "max-input-bytes"),
        maxConnections: atLeast(integerFlag(values, "max-connections") ?? defaultServerLimits.maxConnections, 1, "max-connections"),
        headersTimeoutMs: seconds("headers-timeout", defaultServerLimits.headersTimeoutMs, true),
        keepAliveTimeoutMs: seconds("keep-alive-timeout", defaultServerLimits.keepAliveTimeoutMs, true),
        maxQueuedRequests: atLeast(integerFlag(values, "max-queued") ?? defaultServerLimits.maxQueuedRequests, 1, "max-queued"),
        requestTimeoutMs: seconds("request-timeout", defaultServerLimits.requestTimeoutMs),
        shutdownGraceMs: seconds("shutdown-timeout", defaultServerLimits.shutdownGraceMs)
    };

    // The origins are checked before the model loads: a refused --allow-origin fails at once.
    new OriginPolicy(values["allow-origin"], apiKey !== undefined);
    const isolation = values.isolation ?? "process";
    if (isolation !== "process" && isolation !== "none") throw new InvalidArgumentError(`--isolation expects process or none, got ${isolation}`);
    const overflow = values.overflow ?? "truncate";
    if (overflow !== "truncate" && overflow !== "max-window") throw new InvalidArgumentError(`--overflow expects truncate or max-window, got ${overflow}`);
    let giveUp: (reason: string) => void = () => undefined;
    const gaveUp = new Promise<string>((resolve) => (giveUp = resolve));
    const reranker =
        isolation === "process"
            ? await SupervisedReranker.load(rerankerOptionsFrom(values), { log: (line) => console.error(`llm-rerank: ${line}`), onGiveUp: giveUp })
            : await Reranker.load(rerankerOptionsFrom(values));
    const server = new RerankServer({
        reranker,
        host: values.host,
        port,
        apiKey,
        modelId: values["model-name"],
        allowedHosts: values["allow-host"],
        allowedOrigins: values["allow-origin"],
        limits,
        overflow
    });
    let address: Awaited<ReturnType<RerankServer["start"]>>;
    try {
        address = await server.start();
    } catch (error) {
        await reranker.dispose();
        throw new InvalidArgumentError(`could not listen on ${values.host ?? "127.0.0.1"}:${port}: ${(error as Error).message}`);
    }
    const description = reranker.describe();
    const childPid = description.backend.childPid;
    console.error(
        `llm-rerank: serving ${description.model.path} (${description.profile}) at ${address.url}${apiKey ? " (API key required)" : ""}` +
            (values["allow-origin"]?.length ? ` (browsers allowed from ${values["allow-origin"].join(", ")})` : "") +
            (isolation === "process" ? `; llama.cpp runs in process ${childPid ?? "?"}, restarted if it dies` : "")
    );

    const signal = await Promise.race([
        new Promise<NodeJS.Signals>((resolve) => {
            process.once("SIGINT", () => resolve("SIGINT"));
            process.once("SIGTERM", () => resolve("SIGTERM"));
        }),
        gaveUp.then(() => "gave up" as const)
    ]);
    if (signal === "gave up") {
        await server.close();
        await reranker.dispose();
        console.error("llm-rerank: stopped: llama.cpp could not be started again (see above)");
        return 1;
    }
    console.error(`llm-rerank: ${signal}: finishing ${server.activeRequests} request(s) within ${limits.shutdownGraceMs / 1000} s, then stopping`);
    // A second signal while stopping means "now": exit without waiting.
    const forceExit = () => process.exit(1);
    process.once("SIGINT", forceExit);
    process.once("SIGTERM", forceExit);
    await server.close();
    await reranker.dispose();
    console.error("llm-rerank: stopped");
    return 0;
}

function atLeast(value: number, min: number, name: string): number {
    if (value < min) throw new InvalidArgumentError(`--${name} must be at least ${min}, got ${value}`);
    return value;
}
