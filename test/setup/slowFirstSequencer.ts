import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The longest files first, then vitest's own order. With two files at a time on two cores, a long
 * file that starts last leaves one core idle for its whole length; vitest orders by the durations it
 * cached, which a fresh clone (and CI) does not have. Measured here, in seconds.
 */
const slowFirst = [
    "test/model/desktop/packedPackage.test.ts", // 60: npm pack (for all three packed files), install, asar, a compile
    "test/model/gpu/vulkan.test.ts", // 40: llvmpipe
    // After the pack is done: started beside packedPackage, it would wait for the pack, idle, on a worker.
    "test/model/desktop/packedBench.test.ts", // 33 once packed: install, a 3 GB bench model, the bench
    "test/model/hostile/hostileText.test.ts",
    "test/model/gpu/vulkanSweep.test.ts",
    "test/model/reference/reference.generatedModels.test.ts",
    "test/model/hostile/hostileGguf.test.ts",
    "test/model/tokenParity/truncation.test.ts",
    "test/model/engine.test.ts",
    "test/model/cli.test.ts"
];

export class SlowFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const sorted = await super.sort(files);
        const rank = (file: TestSpecification) => {
            const index = slowFirst.findIndex((slow) => file.moduleId.endsWith(slow));
            return index < 0 ? slowFirst.length : index;
        };
        return sorted
            .map((file, order) => ({ file, order }))
            .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
            .map(({ file }) => file);
    }
}
