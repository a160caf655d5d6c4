import type { ScoreProgress } from "../RerankerOptions.js";

/**
 * A progress bar on stderr for long calls, drawn only when stderr is a terminal (never in a pipe or
 * a log, and stdout stays clean for --json). At most ten redraws a second; plain characters only,
 * so NO_COLOR holds by construction; the line is cleared when the call ends.
 */
export function stderrProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { onProgress?: (progress: ScoreProgress) => void; done(): void } {
    if (!stream.isTTY) return { done: () => undefined };
    let last = 0;
    let drawn = false;
    return {
        onProgress: ({ done, total }) => {
            const now = Date.now();
            if (now - last < 100 && done < total) return;
            last = now;
            const width = 30;
            const filled = total === 0 ? width : Math.round((done / total) * width);
            stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
            drawn = true;
        },
        done: () => {
            if (drawn) stream.write("\r\x1b[2K");
        }
    };
}
