/**
 * A one-line progress bar on stderr. Redrawn in place on a terminal; on a pipe or file each step
 * is a line of its own, since carriage returns would pile up there.
 */
export class ProgressBar {
    private readonly total: number;
    private readonly width = 30;
    private readonly started = Date.now();
    private done = 0;
    private readonly interactive = process.stderr.isTTY === true;

    constructor(total: number) {
        this.total = total;
    }

    /** Shows what is running now, before the step ends. */
    show(activity: string): void {
        const filled = Math.round((this.done / this.total) * this.width);
        const elapsed = ((Date.now() - this.started) / 1000).toFixed(0);
        const line = `[${"#".repeat(filled)}${".".repeat(this.width - filled)}] ${this.done}/${this.total} ${elapsed}s ${activity}`;
        if (this.interactive) process.stderr.write(`\r\x1b[2K${line}`);
        else process.stderr.write(`${line}\n`);
    }

    step(): void {
        this.done++;
    }

    finish(): void {
        if (this.interactive) process.stderr.write("\r\x1b[2K");
        process.stderr.write(`bench: ${this.done} steps in ${((Date.now() - this.started) / 1000).toFixed(0)} s\n`);
    }
}
