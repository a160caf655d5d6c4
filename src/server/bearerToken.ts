import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether an Authorization header carries `Bearer <apiKey>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the lengths and contents: a client learns nothing about
 * the key from how long a refusal takes.
 */
export function hasBearerToken(authorization: string | undefined, apiKey: string): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
    const given = createHash("sha256")
        .update(match?.[1] ?? "")
        .digest();
    const expected = createHash("sha256").update(apiKey).digest();
    return timingSafeEqual(given, expected) && match !== null;
}
