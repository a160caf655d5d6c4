import type { ModelDownloadProgress } from "../model/ModelDownloadOptions.js";

const mebibyte = 2 ** 20;

/**
 * Download progress on stderr, so stdout stays clean for --json: one line redrawn at most four
 * times a second on a terminal; on a pipe or file, one line when the download starts.
 */
export function downloadProgressPrinter(label: string): { onProgress: (progress: ModelDownloadProgress) => void; finish: () => void } {
    const interactive = process.stderr.isTTY === true;
    let lastDrawn = 0;
    let started = false;
    return {
        onProgress({ downloadedBytes, totalBytes }) {
            if (!started) {
                started = true;
                if (!interactive) process.stderr.write(`llm-rerank: downloading ${label} (${(totalBytes / mebibyte).toFixed(1)} MiB)\n`);
            }
            if (!interactive) return;
            if (totalBytes > 0 && downloadedBytes >= totalBytes) {
                process.stderr.write("\r\x1b[2K");
                return;
            }
            const now = Date.now();
            if (now - lastDrawn < 250) return;
            lastDrawn = now;
            const percent = totalBytes > 0 ? ((100 * downloadedBytes) / totalBytes).toFixed(0) : "?";
            process.stderr.write(
                `\r\x1b[2Kdownloading ${label}: ${percent}% (${(downloadedBytes / mebibyte).toFixed(1)}/${(totalBytes / mebibyte).toFixed(1)} MiB)`
            );
        },
        finish() {
            if (interactive && started) process.stderr.write("\r\x1b[2K");
        }
    };
}
