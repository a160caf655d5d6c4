import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { Reranker } from "../Reranker.js";
import { RerankServer } from "../server/RerankServer.js";
import { SupervisedReranker } from "../server/SupervisedReranker.js";
import { defaultServerLimits } from "../server/ServerLimits.js";
import { integerFlag, rerankerFlags, rerankerOptionsFrom } from "./commonOptions.js";

export const serveUsage = `llm-rerank serve --model M.gguf [--host 127.0.0.1] [--port 8012] [--api-key K] [--model-name NAME]
                 [--allow-host NAME ...] [--max-body-bytes N] [--max-documents N] [--request-timeout S]
                 [--max-queued N] [--shutdown-timeout S] [--isolation process|none]  (+ the common flags)

Serves POST /v1/rerank, /rerank, /v2/rerank, /reranking (Cohere, Jina, llama-server, vLLM, TEI shapes),
POST /score and /v1/score (vLLM), GET /health and /v1/models. The API key may also come from the
LLM_RERANK_API_KEY environment variable (keeps it out of the process list).
--isolation process (the default) runs llama.cpp in a child process: if it dies, requests in flight
get 503 backend_crashed, /health answers 503 with the reason, and a new one is started after
0.25 s, doubling per quick failure up to 30 s; after 10 failed reloads in a row serve exits 1.
--isolation none runs it in the server's process (about 5% faster; a llama.cpp abort ends the server).
Defaults: --max-body-bytes ${defaultServerLimits.maxBodyBytes} (10 MiB), --max-documents ${defaultServerLimits.maxDocuments}, --request-timeout ${defaultServerLimits.requestTimeoutMs / 1000} (0: none),
          --max-queued ${defaultServerLimits.maxQueuedRequests}, --shutdown-timeout ${defaultServerLimits.shutdownGraceMs / 1000}.`;

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
            "max-body-bytes": { type: "string" },
            "max-documents": { type: "string" },
            "request-timeout": { type: "string" },
            "max-queued": { type: "string" },
            "shutdown-timeout": { type: "string" },
            isolation: { type: "string" },
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
    const seconds = (name: string, fallbackMs: number) => {
        const raw = values[name as keyof typeof values];
        if (raw === undefined) return fallbackMs;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`--${name} expects seconds >= 0, got ${String(raw)}`);
        return Math.round(value * 1000);
    };
    const limits = {
        maxBodyBytes: atLeast(integerFlag(values, "max-body-bytes") ?? defaultServerLimits.maxBodyBytes, 1, "max-body-bytes"),
        maxDocuments: atLeast(integerFlag(values, "max-documents") ?? defaultServerLimits.maxDocuments, 1, "max-documents"),
        maxQueuedRequests: atLeast(integerFlag(values, "max-queued") ?? defaultServerLimits.maxQueuedRequests, 1, "max-queued"),
        requestTimeoutMs: seconds("request-timeout", defaultServerLimits.requestTimeoutMs),
        shutdownGraceMs: seconds("shutdown-timeout", defaultServerLimits.shutdownGraceMs)
    };

    const isolation = values.isolation ?? "process";
    if (isolation !== "process" && isolation !== "none") throw new InvalidArgumentError(`--isolation expects process or none, got ${isolation}`);
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
        limits
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
