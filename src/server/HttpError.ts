/**
 * An answer other than success, with a message a person can act on. Thrown anywhere in request
 * handling and turned into `{"error": {...}}` JSON by the server; never leaves the server.
 */
export class HttpError extends Error {
    readonly status: number;
    readonly type: string;
    readonly headers: Record<string, string>;

    constructor(status: number, type: string, message: string, headers: Record<string, string> = {}) {
        super(message);
        this.name = "HttpError";
        this.status = status;
        this.type = type;
        this.headers = headers;
    }
}

export const invalidRequest = (message: string) => new HttpError(422, "invalid_request", message);
