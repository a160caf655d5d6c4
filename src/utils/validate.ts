import { InvalidArgumentError } from "../errors/errors.js";

// One message format for every bad argument, as sharp does: the parameter, what was expected,
// what was given.
export function invalidArgument(name: string, expected: string, actual: unknown): InvalidArgumentError {
    const shown = typeof actual === "string" ? JSON.stringify(actual.length > 60 ? actual.slice(0, 57) + "..." : actual) : shownValue(actual);
    return new InvalidArgumentError(`Expected ${expected} for ${name} but received ${shown} of type ${actual === null ? "null" : typeof actual}`);
}

// String() of a deeply nested array recurses once per level and can overflow the stack: a bad
// argument must still give its InvalidArgumentError, never a RangeError.
function shownValue(actual: unknown): string {
    try {
        const text = String(actual);
        return text.length > 60 ? text.slice(0, 57) + "..." : text;
    } catch {
        return Array.isArray(actual) ? "[a nested array]" : "[a value that cannot be shown]";
    }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw invalidArgument(name, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`, value);
    }
    return value;
}

export function expectString(name: string, value: unknown): string {
    if (typeof value !== "string") throw invalidArgument(name, "a string", value);
    return value;
}

export function expectBoolean(name: string, value: unknown): boolean {
    if (typeof value !== "boolean") throw invalidArgument(name, "a boolean", value);
    return value;
}

export function expectOneOf<T extends string | boolean>(name: string, value: unknown, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) throw invalidArgument(name, `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`, value);
    return value as T;
}

export function expectArray(name: string, value: unknown): unknown[] {
    if (!Array.isArray(value)) throw invalidArgument(name, "an array", value);
    return value;
}

export function expectFiniteNumber(name: string, value: unknown): number {
    if (typeof value !== "number" || !Number.isFinite(value)) throw invalidArgument(name, "a finite number", value);
    return value;
}

export function expectFunction<T extends (...args: never[]) => unknown>(name: string, value: unknown): T {
    if (typeof value !== "function") throw invalidArgument(name, "a function", value);
    return value as T;
}
