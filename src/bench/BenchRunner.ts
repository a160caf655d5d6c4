import { monitorEventLoopDelay } from "node:perf_hooks";
import type { WorkloadQuery } from "./BenchWorkload.js";
import type { Contender, RoundResult } from "./Contender.js";
import { ProgressBar } from "./ProgressBar.js";

export type ContenderRun = {
    contender: Contender;
    rounds: RoundResult[];
    /**
     * Per round: the 99th percentile and the maximum of this process's event-loop delay (ms), as
     * the time by which a timer fired late: monitorEventLoopDelay's samples minus its resolution,
     * which they include.
     */
    loopDelayP99Ms: number[];
    loopDelayMaxMs: number[];
};

// Finer sampling would itself disturb what is measured.
const loopResolutionMs = 10;

/**
 * Runs every contender once per round, in a fixed order (a b c raw a b c raw ...), so that
 * whatever else the machine does slows all of them alike rather than one of them.
 */
export class BenchRunner {
    private readonly contenders: Contender[];
    private readonly rounds: number;

    constructor(contenders: Contender[], rounds: number) {
        this.contenders = contenders;
        this.rounds = rounds;
    }

    async run(workload: WorkloadQuery[]): Promise<ContenderRun[]> {
        const progress = new ProgressBar(this.contenders.length * (this.rounds + 1));
        const runs: ContenderRun[] = this.contenders.map((contender) => ({ contender, rounds: [], loopDelayP99Ms: [], loopDelayMaxMs: [] }));
        const monitor = monitorEventLoopDelay({ resolution: loopResolutionMs });
        try {
            for (const run of runs) {
                progress.show(`warm-up ${run.contender.label}`);
                await run.contender.warmUp(workload);
                progress.step();
            }
            monitor.enable();
            for (let round = 0; round < this.rounds; round++) {
                for (const run of runs) {
                    progress.show(`round ${round + 1}/${this.rounds} ${run.contender.label}`);
                    monitor.reset();
                    run.rounds.push(await run.contender.runRound(workload));
                    run.loopDelayP99Ms.push(Math.max(0, monitor.percentile(99) / 1e6 - loopResolutionMs));
                    run.loopDelayMaxMs.push(Math.max(0, monitor.max / 1e6 - loopResolutionMs));
                    progress.step();
                }
            }
        } finally {
            monitor.disable();
            progress.finish();
        }
        return runs;
    }
}
