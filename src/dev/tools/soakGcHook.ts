// Preloaded into the serve process by `npm run soak -- --http` only (node --expose-gc --import this):
// on SIGUSR2 it collects garbage and writes the heap in use and the RSS to stderr, so the soak
// measures what serve retains, not when V8 chose to collect. Nothing else loads it.
process.on("SIGUSR2", () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.stderr.write(`soak-gc heapUsed=${heapUsed} rss=${rss}\n`);
});
