import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CaseReply, CaseRequest, ChildReady, HostileCaseOutcome } from "./HostileCaseOutcome.js";

// Beside this file when it runs compiled; from the sources (vitest), the compiled copy in dist/.
const besideThis = fileURLToPath(new URL("./hostileCaseChildMain.js", import.meta.url));
const childScript = existsSync(besideThis)
    ? besideThis
    : path.resolve(path.dirname(besideThis), "..", "..", "..", "dist", "dev", "fuzz", "hostileCaseChildMain.js");
const stderrTailBytes = 4096;
const startupTimeoutMs = 180_000;

/**
 * One forked case runner. `run` resolves to the case's outcome, or to an abort when the process
 * dies during it, or to a hang when it outlives the timeout (the process is then killed). After
 * an abort or a hang this runner is spent; the suite starts a new one.
 */
export class CaseRunnerChild {
    private readonly child: ChildProcess;
    private stderrTail = "";
    private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private readonly ready: Promise<void>;
    spent = false;

    constructor() {
        this.child = fork(childScript, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
        this.child.stderr!.on("data", (chunk: Buffer) => {
            this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
        });
        this.child.on("exit", (code, signal) => {
            this.exited = { code, signal };
            this.spent = true;
        });
        this.ready = new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`a case runner did not start within ${startupTimeoutMs} ms`)), startupTimeoutMs);
            this.child.once("message", (message: ChildReady) => {
                clearTimeout(timer);
                if (message.ready) resolve();
            });
            this.child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`a case runner exited while starting (code ${code}, signal ${signal}): ${this.stderrTail.slice(-500)}`));
            });
        });
    }

    async run(index: number, path: string, timeoutMs: number, fault?: CaseRequest["fault"]): Promise<HostileCaseOutcome> {
        await this.ready;
        this.stderrTail = "";
        return new Promise((resolve) => {
            const finish = (outcome: HostileCaseOutcome) => {
                clearTimeout(timer);
                this.child.off("message", onMessage);
                this.child.off("exit", onExit);
                resolve(outcome);
            };
            const onMessage = (reply: CaseReply) => {
                if (reply.index === index) finish({ outcome: reply.outcome, detail: reply.detail });
            };
            const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
                finish({ outcome: "abort", detail: `exit code ${code}, signal ${signal}: ${lastLines(this.stderrTail)}` });
            const timer = setTimeout(() => {
                this.spent = true;
                this.child.off("exit", onExit);
                this.child.kill("SIGKILL");
                finish({ outcome: "hang", detail: `no answer within ${timeoutMs} ms: ${lastLines(this.stderrTail)}` });
            }, timeoutMs);
            this.child.on("message", onMessage);
            this.child.on("exit", onExit);
            if (this.exited) onExit(this.exited.code, this.exited.signal);
            else this.child.send({ index, path, fault } satisfies CaseRequest);
        });
    }

    stop(): void {
        if (!this.exited) this.child.kill("SIGKILL");
    }
}

function lastLines(text: string): string {
    return text.trim().split("\n").slice(-3).join(" | ").slice(-400);
}
