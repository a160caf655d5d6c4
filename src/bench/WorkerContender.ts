import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkloadQuery } from "./BenchWorkload.js";
import type { Contender, ContenderSetup, RoundResult } from "./Contender.js";
import { preferPrebuiltEnvironmentVariable, type WorkerReply, type WorkerRequest } from "./workerProtocol.js";

export type WorkerBuild = "prebuilt" | "localBuild";

/**
 * Configuration (c) on the other llama.cpp build, in a child process: a process can hold only one
 * libllama. The child waits between rounds, so interleaving keeps the two builds side by side
 * without ever running both at once.
 */
export class WorkerContender implements Contender {
    readonly key: string;
    /** Set once the child reports its setup: the BLAS and weight type are known only then. */
    label: string;
    setup: ContenderSetup = { build: "?", threads: 0, slots: 0, batchSize: 0, sharePrefix: true, libllamaPath: "", blas: null, weightType: "?" };
    private readonly child: ChildProcess;
    private pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;

    private constructor(key: string, label: string, child: ChildProcess) {
        this.key = key;
        this.label = label;
        this.child = child;
        child.on("message", (reply: WorkerReply) => {
            const pending = this.pending;
            this.pending = undefined;
            if (!pending) return;
            if (reply.type === "error") pending.reject(new Error(`${this.label}: ${reply.message}`));
            else pending.resolve(reply);
        });
        child.on("exit", (code) => {
            this.pending?.reject(new Error(`${this.label}: the worker process exited (${code})`));
            this.pending = undefined;
        });
    }

    static async start(key: string, label: string, load: Extract<WorkerRequest, { type: "load" }>): Promise<WorkerContender> {
        // The child asks for its build itself (load.llamaBuild); the variable --build prebuilt sets
        // here would make node-llama-cpp miss every local build there.
        const environment = { ...process.env };
        delete environment[preferPrebuiltEnvironmentVariable];
        const script = fileURLToPath(new URL("./benchWorkerMain.js", import.meta.url));
        const child = spawn(process.execPath, [script], { stdio: ["ignore", "inherit", "inherit", "ipc"], env: environment });
        const contender = new WorkerContender(key, label, child);
        try {
            const reply = await contender.request(load);
            if (reply.type === "loaded") contender.setup = reply.setup;
        } catch (error) {
            child.kill();
            throw error;
        }
        return contender;
    }

    async warmUp(workload: WorkloadQuery[]): Promise<void> {
        await this.request({ type: "warmUp", workload });
    }

    async runRound(workload: WorkloadQuery[]): Promise<RoundResult> {
        const reply = await this.request({ type: "round", workload });
        if (reply.type !== "round") throw new Error(`${this.label}: unexpected reply ${reply.type}`);
        return reply.result;
    }

    async dispose(): Promise<void> {
        if (this.child.exitCode !== null || !this.child.connected) return;
        await this.request({ type: "dispose" }).catch(() => undefined);
    }

    private request(message: WorkerRequest): Promise<WorkerReply> {
        return new Promise((resolve, reject) => {
            this.pending = { resolve, reject };
            this.child.send(message);
        });
    }
}
