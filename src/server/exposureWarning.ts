import { isLoopbackAddress } from "./loopbackHost.js";

/**
 * The lines printed at start when the server listens beyond this machine without an API key
 * (0.0.0.0, ::, a LAN address): anyone who can reach the port can use the model. Undefined when
 * bound to loopback or when a key is set.
 */
export function exposureWarning(boundAddress: string, port: number, hasApiKey: boolean): string[] | undefined {
    if (hasApiKey || isLoopbackAddress(boundAddress)) return undefined;
    const shown = boundAddress.includes(":") ? `[${boundAddress}]` : boundAddress;
    const rule = "!".repeat(78);
    return [
        rule,
        `!! WARNING: llm-rerank serve is listening on ${shown}:${port}, which is NOT loopback, and has NO API KEY.`,
        `!! Anyone who can reach this machine on port ${port} (your LAN, a VPN, a container network, the`,
        "!! internet if the port is forwarded) can run the model and read what it is sent, for free.",
        "!! Set an API key (--api-key K, or LLM_RERANK_API_KEY=K to keep it out of `ps`), or bind",
        "!! --host 127.0.0.1 (the default) and reach it through an authenticating reverse proxy.",
        rule
    ];
}
