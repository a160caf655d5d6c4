import { invalidArgument } from "../utils/validate.js";

/** A model named by where to download it, and the file name it gets in the cache folder. */
export type ModelUri = {
    /** As the user wrote it; what node-llama-cpp's downloader is given. */
    uri: string;
    kind: "huggingFace" | "url";
    cacheFileName: string;
};

const huggingFaceFile = /^hf:([^/\s#]+)\/([^/\s#:]+)\/([^#\s]+\.gguf)(?:#([^\s]+))?$/i;

function safeFileName(text: string): string {
    return text.replace(/[^\w.@-]+/g, "_");
}

/** Plain http only to this machine: anyone on the path could swap a model file sent in clear. */
export function isLoopbackHost(hostname: string): boolean {
    return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function expectSecureUrl(name: string, text: string): URL {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw invalidArgument(name, "an https:// URL", text);
    }
    if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return url;
    throw invalidArgument(name, "an https:// URL (plain http:// only to 127.0.0.1, ::1 or localhost)", text);
}

/** undefined when `model` is a file path; a ModelUri for hf: URIs and http(s) URLs. */
export function parseModelUri(model: string): ModelUri | undefined {
    if (/^hf:/i.test(model)) {
        const match = huggingFaceFile.exec(model);
        if (!match) {
            throw invalidArgument("model", "a Hugging Face URI naming one file, hf:user/repo/path/file.gguf[#branch]", model);
        }
        const [, user, repo, filePath, branch] = match;
        const prefix = branch ? `hf_${user}_${repo}@${branch}_` : `hf_${user}_${repo}_`;
        return { uri: model, kind: "huggingFace", cacheFileName: safeFileName(prefix + filePath!.replace(/\//g, "_")) };
    }
    if (/^https?:\/\//i.test(model)) {
        const url = expectSecureUrl("model", model);
        const baseName = decodeURIComponent(url.pathname.split("/").pop() ?? "");
        if (!baseName) throw invalidArgument("model", "a URL that ends in a file name", model);
        // The host keeps same-named files from different servers apart in one cache folder.
        return { uri: model, kind: "url", cacheFileName: safeFileName(`${url.host}_${baseName}`) };
    }
    return undefined;
}
