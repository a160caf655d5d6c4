import { AbortedError, RemoteHttpError, RemoteTimeoutError, RemoteUnavailableError } from "../errors/errors.js";
import { isPlainObject } from "../utils/validate.js";

export type RetryPolicy = { maxRetries: number; maxRetryDelayMs: number; timeoutMs: number };

/**
 * POSTs JSON and returns the parsed 2xx answer. Retries only what is safe to retry: a refused
 * connection (the request never reached a server) and a 503 whose Retry-After says when to come
 * back, both bounded by maxRetries and the call's timeout. A timeout, a reset mid-request or
 * any other status fails at once with a typed error.
 */
export async function postJsonWithRetries(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    policy: RetryPolicy,
    signal: AbortSignal | undefined
): Promise<unknown> {
    const deadline = AbortSignal.timeout(policy.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const payload = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
        let response: Response;
        try {
            response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: payload, signal: combined });
        } catch (error) {
            if (signal?.aborted) throw new AbortedError(signal.reason);
            if (deadline.aborted) throw new RemoteTimeoutError(url, policy.timeoutMs);
            if (isConnectionRefused(error) && attempt < policy.maxRetries) {
                await pause(100 * 2 ** attempt, combined, url, policy, signal);
                continue;
            }
            throw new RemoteUnavailableError(url, attempt + 1, error);
        }
        const retryAfterMs = response.status === 503 ? parseRetryAfter(response.headers.get("retry-after")) : undefined;
        if (retryAfterMs !== undefined && retryAfterMs <= policy.maxRetryDelayMs && attempt < policy.maxRetries) {
            await response.body?.cancel();
            await pause(retryAfterMs, combined, url, policy, signal);
            continue;
        }
        const text = await readText(response, url, policy, signal, deadline, attempt + 1);
        if (!response.ok) throw new RemoteHttpError(url, response.status, errorMessageOf(text));
        try {
            return JSON.parse(text) as unknown;
        } catch {
            throw new RemoteHttpError(url, response.status, `the answer is not JSON: ${text.slice(0, 200)}`);
        }
    }
}

async function readText(
    response: Response,
    url: string,
    policy: RetryPolicy,
    signal: AbortSignal | undefined,
    deadline: AbortSignal,
    attempts: number
): Promise<string> {
    try {
        return await response.text();
    } catch (error) {
        if (signal?.aborted) throw new AbortedError(signal.reason);
        if (deadline.aborted) throw new RemoteTimeoutError(url, policy.timeoutMs);
        throw new RemoteUnavailableError(url, attempts, error);
    }
}

function isConnectionRefused(error: unknown): boolean {
    const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    return cause?.code === "ECONNREFUSED" || (cause?.errors?.some((inner) => inner.code === "ECONNREFUSED") ?? false);
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
    if (value === null || value.trim() === "") return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The message of the usual error bodies: {error: {message}}, {error: "..."}, {message}, {detail}. */
function errorMessageOf(text: string): string | undefined {
    try {
        const body: unknown = JSON.parse(text);
        if (isPlainObject(body)) {
            const error = body.error;
            if (isPlainObject(error) && typeof error.message === "string") return error.message;
            for (const candidate of [error, body.message, body.detail]) if (typeof candidate === "string") return candidate;
        }
    } catch {
        // Not JSON: show the start of the text.
    }
    return text.trim() === "" ? undefined : text.slice(0, 200);
}

function pause(ms: number, combined: AbortSignal, url: string, policy: RetryPolicy, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.aborted ? new AbortedError(signal.reason) : new RemoteTimeoutError(url, policy.timeoutMs));
        };
        const timer = setTimeout(() => {
            combined.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        if (combined.aborted) onAbort();
        else combined.addEventListener("abort", onAbort, { once: true });
    });
}
