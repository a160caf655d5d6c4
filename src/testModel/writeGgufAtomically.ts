import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { GgufWriter } from "../gguf/GgufWriter.js";

export type WrittenTestModel = {
    readonly outPath: string;
    readonly bytes: number;
};

/**
 * Writes the GGUF to a ".partial" file next to `outPath` and renames it into place, so concurrent
 * test workers never load a half-written model; a failed write leaves no partial file behind.
 */
export async function writeGgufAtomically(
    writer: GgufWriter,
    outPath: string,
    onProgress?: (writtenBytes: number, totalBytes: number) => void
): Promise<WrittenTestModel> {
    await mkdir(dirname(outPath), { recursive: true });
    // unique per process and moment, so two workers generating the same model do not share one
    const partialPath = `${outPath}.${process.pid}.${Date.now()}.partial`;
    try {
        const bytes = await writer.writeToFile(partialPath, onProgress);
        await rename(partialPath, outPath);
        return { outPath, bytes };
    } catch (error) {
        await rm(partialPath, { force: true });
        throw error;
    }
}
