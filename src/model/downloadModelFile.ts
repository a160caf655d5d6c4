import { rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createModelDownloader, type ModelDownloader } from "node-llama-cpp";
import { AbortedError, InvalidModelFileError, ModelDownloadError } from "../errors/errors.js";
import { RerankError } from "../errors/RerankError.js";
import { inspectModelFile } from "../gguf/inspectModelFile.js";
import type { ModelDownloadOptions } from "./ModelDownloadOptions.js";
import type { ModelUri } from "./parseModelUri.js";

/**
 * Downloads `source` to `cachedPath` through node-llama-cpp's downloader (ipull: parallel ranged
 * requests, and retries that resume a dropped connection from the chunk where it stopped).
 * Measured here: a download whose process was killed starts again from zero in the next process.
 *
 * The file is fetched under a staging name and renamed into the cache only once it has the size
 * the server announced and passes the GGUF checks: a file under the cache name is always whole.
 * (node-llama-cpp's resolveModelFile is not used: it treats any file under the expected name as
 * cached, and ipull renames an aborted download to its final name.)
 */
export async function downloadModelFile(source: ModelUri, cachedPath: string, options: ModelDownloadOptions): Promise<string> {
    const stagingPath = `${cachedPath}.download`;
    const { signal, onProgress } = options;
    if (signal?.aborted) throw new AbortedError(signal.reason);
    let downloader: ModelDownloader;
    try {
        downloader = await createModelDownloader({
            modelUri: source.uri,
            dirPath: path.dirname(stagingPath),
            fileName: path.basename(stagingPath),
            headers: options.headers,
            endpoints: options.huggingFaceEndpoint ? { huggingFace: options.huggingFaceEndpoint } : undefined,
            showCliProgress: false,
            skipExisting: true,
            deleteTempFileOnCancel: true,
            onProgress: onProgress && (({ downloadedSize, totalSize }) => onProgress({ downloadedBytes: downloadedSize, totalBytes: totalSize }))
        });
    } catch (error) {
        throw new ModelDownloadError(source.uri, (error as Error).message, error);
    }
    try {
        if (downloader.totalFiles !== 1) {
            throw new ModelDownloadError(source.uri, `it is a GGUF split into ${downloader.totalFiles} files; merge them first (llama-gguf-split --merge)`);
        }
        try {
            await downloader.download({ signal });
        } catch (error) {
            if (signal?.aborted) throw new AbortedError(signal.reason);
            throw new ModelDownloadError(source.uri, (error as Error).message, error);
        }
        // ipull returns normally when aborted, with the partial file under the staging name.
        if (signal?.aborted) throw new AbortedError(signal.reason);
        const { size } = await stat(stagingPath);
        if (downloader.totalSize > 0 && size !== downloader.totalSize) {
            throw new ModelDownloadError(source.uri, `the download holds ${size} bytes, the server announced ${downloader.totalSize}`);
        }
        try {
            await inspectModelFile(stagingPath);
        } catch (error) {
            if (!(error instanceof RerankError)) throw error;
            throw new InvalidModelFileError(source.uri, `${error.message} (the download was removed; loading it again downloads it again)`, error);
        }
        await rename(stagingPath, cachedPath);
        return cachedPath;
    } catch (error) {
        await rm(stagingPath, { force: true });
        throw error;
    }
}
