import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors/errors.js";
import { pullModel } from "../model/pullModel.js";
import { downloadProgressPrinter } from "./downloadProgressPrinter.js";

/** llm-rerank pull URI [--dir D]: download (or find in the cache) and check, without loading. */
export async function pullCommand(args: string[]): Promise<number> {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: "string" } } });
    const [uri, ...rest] = positionals;
    if (!uri || rest.length > 0) throw new InvalidArgumentError("pull expects one model URI: llm-rerank pull hf:user/repo/file.gguf [--dir D]");
    const progress = downloadProgressPrinter(uri);
    try {
        console.log(await pullModel(uri, { directory: values.dir, onProgress: progress.onProgress }));
    } finally {
        progress.finish();
    }
    return 0;
}
