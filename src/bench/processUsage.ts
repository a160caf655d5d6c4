import { readFileSync } from "node:fs";

/**
 * Memory this process holds privately (RssAnon), in bytes; null where /proc is not there. RSS also
 * counts the mmap'd weights, once per mapping: three Rerankers of one model show three times the
 * file in RSS while the page cache holds it once.
 */
export function privateMemoryBytes(): number | null {
    try {
        const match = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
        return match ? Number(match[1]) * 1024 : null;
    } catch {
        return null;
    }
}

export type CpuUsage = { cpuSeconds: number; involuntaryContextSwitches: number };

/** CPU time of all this process's threads so far, and how often the OS took a core away from them. */
export function cpuUsage(): CpuUsage {
    const usage = process.resourceUsage();
    return { cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, involuntaryContextSwitches: usage.involuntaryContextSwitches };
}

export function cpuUsageSince(start: CpuUsage): CpuUsage {
    const now = cpuUsage();
    return { cpuSeconds: now.cpuSeconds - start.cpuSeconds, involuntaryContextSwitches: now.involuntaryContextSwitches - start.involuntaryContextSwitches };
}
