/** Why a request's AbortSignal fired; decides whether and how the request is still answered. */
export class AbortReason extends Error {
    readonly kind: "client-disconnected" | "timeout" | "shutdown";

    constructor(kind: AbortReason["kind"], message: string) {
        super(message);
        this.name = "AbortReason";
        this.kind = kind;
    }
}
