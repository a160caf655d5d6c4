import { fork } from "node:child_process";

/**
 * The parent's end of the pipe to the isolated llama.cpp process. child_process.fork gives one;
 * Electron's utilityProcess.fork gives the same shape (postMessage, "message", "exit", kill), so an
 * Electron app can pass `(entryPoint) => utilityProcess.fork(entryPoint)` as `isolationProcess`.
 */
export interface IsolationProcess {
    /** The process id, where the platform gives one (child_process and Electron's utilityProcess do). */
    readonly pid?: number;
    postMessage(message: unknown): void;
    on(event: "message", listener: (message: unknown) => void): unknown;
    on(event: "exit", listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
    kill(): unknown;
}

/** Starts the entry point with child_process.fork, speaking structured-clone messages (typed arrays pass as they are). */
export function forkIsolationProcess(entryPoint: string): IsolationProcess {
    const child = fork(entryPoint, [], {
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        // The parent's flags (a test runner's loaders, --inspect) are not the child's business.
        execArgv: []
    });
    // The channel closes a moment before "exit": a message sent then (or after) to a child that died
    // is reported as an "error" event (ERR_IPC_CHANNEL_CLOSED, EPIPE), and an unhandled one would end
    // this process, the very thing isolation exists to prevent. The "exit" that follows rejects
    // whatever was pending, so the error itself carries nothing more.
    child.on("error", () => undefined);
    return {
        pid: child.pid,
        postMessage: (message) => child.send(message as object),
        on: (event: "message" | "exit", listener: (...args: never[]) => void) => child.on(event, listener as (...args: unknown[]) => void),
        kill: () => child.kill("SIGKILL")
    };
}
