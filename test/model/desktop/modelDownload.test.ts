import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    AbortedError,
    InvalidArgumentError,
    InvalidModelFileError,
    ModelDownloadError,
    pullModel,
    Reranker,
    type ModelDownloadProgress
} from "../../../src/index.js";
import { ModelFileServer } from "../../helpers/modelFileServer.js";
import { testModels } from "../../helpers/testModels.js";
import { writeMiniGemma } from "../../helpers/writeMiniGemma.js";

const pair: [string, string] = ["how do tides work?", "The moon pulls on the oceans."];

describe("model files by URI, from a real HTTP server on 127.0.0.1", () => {
    const server = new ModelFileServer();
    const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-download-"));
    let origin: string;
    let model: Buffer;
    let localScore: number;

    beforeAll(async () => {
        model = readFileSync(testModels.tiny);
        server.serve("/models/tiny.gguf", model);
        server.serve("/gemma-user/tiny-repo/resolve/main/weights/tiny.gguf", model);
        server.serve("/models/dropped.gguf", model, { dropOnceAt: Math.floor(model.length / 2) + 12345 });
        const mini = path.join(workDir, "mini.gguf");
        await writeMiniGemma(mini);
        const miniBytes = readFileSync(mini);
        // A download that arrives whole as the server sends it, but is not a model: its tensor
        // data is cut short.
        server.serve("/models/corrupt.gguf", miniBytes.subarray(0, miniBytes.length - 64));
        origin = await server.start();
        const local = await Reranker.load({ model: testModels.tiny, gpu: false });
        try {
            localScore = (await local.score([pair]))[0]!;
        } finally {
            await local.dispose();
        }
    });
    afterAll(async () => {
        await server.stop();
        rmSync(workDir, { recursive: true, force: true });
    });

    it("downloads an https-style URL with progress, checks it, loads it and scores as the local file", async () => {
        const directory = path.join(workDir, "cache-url");
        const progress: ModelDownloadProgress[] = [];
        const reranker = await Reranker.load({ model: `${origin}/models/tiny.gguf`, gpu: false, download: { directory, onProgress: (p) => progress.push(p) } });
        try {
            expect((await reranker.score([pair]))[0]).toBe(localScore);
            expect(reranker.describe().model.path).toBe(path.join(directory, "127.0.0.1_" + new URL(origin).port + "_tiny.gguf"));
        } finally {
            await reranker.dispose();
        }
        expect(progress.length).toBeGreaterThan(1);
        expect(progress.every(({ totalBytes }) => totalBytes === model.length)).toBe(true);
        expect(progress.map(({ downloadedBytes }) => downloadedBytes)).toEqual(
            [...progress.map(({ downloadedBytes }) => downloadedBytes)].sort((a, b) => a - b)
        );
        expect(progress.at(-1)!.downloadedBytes).toBe(model.length);
        expect(readdirSync(directory)).toEqual([`127.0.0.1_${new URL(origin).port}_tiny.gguf`]);

        // The second load is a cache hit: not one request reaches the server.
        const before = server.requests.length;
        const again = await Reranker.load({ model: `${origin}/models/tiny.gguf`, gpu: false, download: { directory, onProgress: (p) => progress.push(p) } });
        await again.dispose();
        expect(server.requests.length).toBe(before);
    });

    it("resolves hf:user/repo/path/file.gguf through the Hugging Face endpoint, and pulls without loading", async () => {
        const directory = path.join(workDir, "cache-hf");
        const uri = "hf:gemma-user/tiny-repo/weights/tiny.gguf";
        const pulled = await pullModel(uri, { directory, huggingFaceEndpoint: `${origin}/` });
        expect(pulled).toBe(path.join(directory, "hf_gemma-user_tiny-repo_weights_tiny.gguf"));
        expect(readFileSync(pulled).equals(model)).toBe(true);
        expect(server.requests.some(({ path: requested }) => requested === "/gemma-user/tiny-repo/resolve/main/weights/tiny.gguf")).toBe(true);
        const before = server.requests.length;
        expect(await pullModel(uri, { directory, huggingFaceEndpoint: `${origin}/` })).toBe(pulled);
        expect(server.requests.length).toBe(before);
    });

    it("resumes a download whose connection dropped mid-file with a Range request from where it stopped", async () => {
        const directory = path.join(workDir, "cache-dropped");
        const pulled = await pullModel(`${origin}/models/dropped.gguf`, { directory });
        expect(readFileSync(pulled).equals(model)).toBe(true);
        const requests = server.requests.filter(({ path: requested }) => requested === "/models/dropped.gguf");
        const dropped = requests.find((request) => request.dropped)!;
        expect(dropped.range).toBeDefined();
        const droppedAt = dropped.range!.start + dropped.bytesSent;
        // A later request asks for the dropped stretch again, starting past where the dropped
        // response began (what it delivered is kept), and not from byte 0.
        const resumed = requests
            .slice(requests.indexOf(dropped) + 1)
            .filter(({ range }) => range && range.start > dropped.range!.start && range.start <= droppedAt);
        expect(resumed.length).toBeGreaterThan(0);
        // Restarting the dropped stretch would send its delivered bytes twice.
        const rangedBytes = requests.filter(({ range }) => range).reduce((sum, { bytesSent }) => sum + bytesSent, 0);
        expect(rangedBytes).toBeLessThan(model.length + dropped.bytesSent);
    });

    it("refuses a corrupt download with a typed error, keeps nothing of it, and fetches it again next time", async () => {
        const directory = path.join(workDir, "cache-corrupt");
        const uri = `${origin}/models/corrupt.gguf`;
        const attempt = () => Reranker.load({ model: uri, gpu: false, download: { directory } });
        const error = await attempt().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InvalidModelFileError);
        expect((error as InvalidModelFileError).code).toBe("ERR_INVALID_MODEL_FILE");
        expect((error as Error).message).toContain(uri);
        expect(readdirSync(directory)).toEqual([]);
        const before = server.requests.filter(({ path: requested }) => requested === "/models/corrupt.gguf").length;
        await expect(attempt()).rejects.toBeInstanceOf(InvalidModelFileError);
        expect(server.requests.filter(({ path: requested }) => requested === "/models/corrupt.gguf").length).toBeGreaterThan(before);
    });

    it("reports a URL the server does not have as a ModelDownloadError naming it", async () => {
        const uri = `${origin}/models/missing.gguf`;
        const error = await pullModel(uri, { directory: path.join(workDir, "cache-missing") }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ModelDownloadError);
        expect((error as ModelDownloadError).code).toBe("ERR_MODEL_DOWNLOAD");
        expect((error as Error).message).toContain(uri);
    });

    it("stops a download when its signal fires, with an AbortedError and no file in the cache", async () => {
        const directory = path.join(workDir, "cache-aborted");
        const controller = new AbortController();
        const load = pullModel(`${origin}/models/tiny.gguf`, {
            directory,
            signal: controller.signal,
            onProgress: ({ downloadedBytes }) => {
                if (downloadedBytes > 0) controller.abort();
            }
        });
        await expect(load).rejects.toBeInstanceOf(AbortedError);
        expect(existsSync(directory) ? readdirSync(directory) : []).toEqual([]);
    });

    it("refuses plain http beyond this machine and Hugging Face URIs that name no file, before any request", async () => {
        const before = server.requests.length;
        await expect(pullModel("http://models.example.com/tiny.gguf", { directory: workDir })).rejects.toThrow(InvalidArgumentError);
        await expect(pullModel("http://models.example.com/tiny.gguf", { directory: workDir })).rejects.toThrow(
            /https:\/\/ URL \(plain http:\/\/ only to 127\.0\.0\.1/
        );
        await expect(pullModel("hf:user/repo:Q8_0", { directory: workDir })).rejects.toThrow(/hf:user\/repo\/path\/file\.gguf/);
        await expect(pullModel("https://models.example.com/x.gguf", { directory: workDir, huggingFaceEndpoint: "http://mirror.example.com/" })).rejects.toThrow(
            InvalidArgumentError
        );
        expect(server.requests.length).toBe(before);
    });
});
