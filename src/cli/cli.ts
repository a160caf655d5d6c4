#!/usr/bin/env node
import { RerankError } from "../errors/RerankError.js";
import { commands } from "./commands.js";

const usage = `llm-rerank — rerank with LLM rerankers (GGUF) through llama.cpp

Commands:
  rank    --model M.gguf --query Q (--passage P ... | --passages FILE) [--top N] [--normalize] [--json]
          [--overflow truncate|max-window [--window-tokens N] [--window-overlap N]]   long passages: cut, or best window
  score   --model M.gguf --pairs FILE.jsonl [--normalize] [--json]
  tokens  --model M.gguf --query Q --passage P
  describe --model M.gguf
  bench-peer --model FILE [--documents N] [--threads N] [--peer-default-threads] [--json]
          node-llama-cpp's LlamaRankingContext.rankAll (1 and 4 contexts) against score(), one run
  check   --model A.gguf --against B.gguf --pairs FILE.jsonl [--top K] [--json]
  check   --model M.gguf [--json]            the health check: built-in canary pairs; exit 1 when the output is degenerate
  serve   --model M.gguf [--host 127.0.0.1] [--port 8012] [--api-key K] [limits]   (serve --help)
  profile --model M.gguf [--profile NAME|FILE.json] [--prompt TEXT]   (records the training prompt)
  export-train --judgments FILE.jsonl --out train.jsonl [--prompt TEXT] [--model M.gguf]
  pull    URI [--dir D]                                          (hf:user/repo/file.gguf or https://…; downloads, checks, prints the path)
  bench   [--quick] [--preset bench|gemma-2b] [--model-dir D] ...   (bench --help; generates its model on first use)

--model takes a path, hf:user/repo/file.gguf or an https:// URL (cached in --model-dir D, default ~/.cache/llm-rerank/models).
--profile takes a built-in profile's name, or a profile file: a value ending in .json is read as one (docs/profiles.md).

Common flags: --gpu auto|cuda|metal|vulkan|cpu  --slots N  --max-length N  --prompt TEXT  --profile NAME|FILE.json
              --threads N  --kv-type f32|f16  --flash-attention  --no-share-prefix  --strict  --lora A.gguf
              --score-head auto|logits|rank  --token-cache-bytes N  --score-cache-bytes N  --no-health-check`;

async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (!name || name === "--help" || name === "-h" || name === "help") {
        console.log(usage);
        return name ? 0 : 1;
    }
    const command = commands[name];
    if (!command && name === "make-test-model") {
        console.error(
            "llm-rerank: make-test-model is a development tool, not part of the package: run `npm run make-test-model -- --out FILE ...` in a checkout of llm-rerank. `llm-rerank bench` generates its own models."
        );
        return 2;
    }
    if (!command) {
        console.error(`llm-rerank: unknown command "${name}"\n\n${usage}`);
        return 2;
    }
    return command(rest);
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        if (error instanceof RerankError) console.error(`llm-rerank: ${error.message} [${error.code}]`);
        else if (error instanceof Error && "code" in error && error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
            console.error(`llm-rerank: ${error.message}\n\n${usage}`);
        else console.error(error);
        process.exitCode = error instanceof RerankError ? 1 : 2;
    }
);
