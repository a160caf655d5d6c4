import { isIP } from "node:net";

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackAddress(host: string): boolean {
    const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
    if (bare === "localhost" || bare.endsWith(".localhost")) return true;
    if (isIP(bare) === 4) return bare.startsWith("127.");
    if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./.test(bare);
    return false;
}

/** The host name of a Host header, without its port: "[::1]:8012" gives "::1". */
export function hostnameOf(hostHeader: string): string {
    const trimmed = hostHeader.trim().toLowerCase();
    if (trimmed.startsWith("[")) return trimmed.slice(1, trimmed.indexOf("]") === -1 ? undefined : trimmed.indexOf("]"));
    const colon = trimmed.lastIndexOf(":");
    return colon === -1 ? trimmed : trimmed.slice(0, colon);
}
