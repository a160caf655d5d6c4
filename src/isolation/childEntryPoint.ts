import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BackendError } from "../errors/errors.js";

/**
 * The compiled entry point of the child process, resolved from this module's own location: the
 * package root is two folders up from src/isolation/ (sources, in tests) and from dist/isolation/
 * (the installed package), and the child always runs the compiled file, since Node cannot start a
 * .ts file. No absolute path is ever rewritten: an app under ~/src/my-app/ resolves to
 * ~/src/my-app/node_modules/llm-rerank/dist/isolation/childMain.js.
 */
export const isolationEntryPoint = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."), "dist", "isolation", "childMain.js");

/** The entry point, or a clear error when the package has not been built (a clone without `npm run build`). */
export function checkedIsolationEntryPoint(): string {
    if (!existsSync(isolationEntryPoint)) {
        throw new BackendError(
            `the isolated process's entry point ${isolationEntryPoint} does not exist; in a clone, run \`npm run build\` first (an installed package ships it)`
        );
    }
    return isolationEntryPoint;
}
