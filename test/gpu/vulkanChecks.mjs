// Runs every Vulkan check of test/gpu/vulkan.test.ts in one process, so that the shaders compile
// once. That test starts it with GGML_VK_VISIBLE_DEVICES=0 in this process's environment only, and
// reads one JSON object from stdout: { skip: reason } when there is no Vulkan device, else the
// scores and descriptions it compares with the float64 reference.
import { readFileSync } from "node:fs";
import { GpuUnavailableError, Reranker } from "../../dist/index.js";

const { models, tinyPairs, midPairs, alonePairs, prefixQuery, prefixPassages, loadOptions = {} } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const warnings = [];
const onWarning = (warning) => warnings.push(warning.code);
const result = { warnings, environment: { GGML_VK_VISIBLE_DEVICES: process.env.GGML_VK_VISIBLE_DEVICES } };

function summarize(reranker) {
    const { backend, precision, placement, settings, scoreTokens } = reranker.describe();
    return { backend: { ...backend, systemInfo: undefined }, precision, placement, settings, scoreTokens };
}

async function scoreGolden(reranker, pairs) {
    const scores = await reranker.score(pairs);
    return { description: summarize(reranker), scores, tokens: await Promise.all(pairs.map(([query, passage]) => reranker.buildInput(query, passage))) };
}

let tiny;
try {
    tiny = await Reranker.load({ model: models.tiny, gpu: "vulkan", ...loadOptions, onWarning });
} catch (error) {
    if (error instanceof GpuUnavailableError) {
        process.stdout.write(JSON.stringify({ skip: error.message }));
        process.exit(0);
    }
    throw error;
}
result.tiny = await scoreGolden(tiny, tinyPairs);
// Packed: one call with every pair in the slots; alone: one pair per call.
result.tiny.packed = await tiny.score(alonePairs);
result.tiny.alone = [];
for (const pair of alonePairs) result.tiny.alone.push((await tiny.score([pair]))[0]);
// Prefix sharing: one query against many passages, shared and not.
const prefixPairs = prefixPassages.map((passage) => [prefixQuery, passage]);
let sharedStats;
result.prefix = {
    tokens: await Promise.all(prefixPairs.map(([query, passage]) => tiny.buildInput(query, passage))),
    shared: await tiny.score(prefixPairs, { onUsage: (usage) => (sharedStats = usage) })
};
result.prefix.sharedStats = sharedStats;
await tiny.dispose();
const unshared = await Reranker.load({ model: models.tiny, gpu: "vulkan", ...loadOptions, sharePrefix: false, onWarning });
result.prefix.unshared = await unshared.score(prefixPairs, { onUsage: (usage) => (result.prefix.unsharedStats = usage) });
await unshared.dispose();

const mid = await Reranker.load({ model: models.mid, gpu: "vulkan", ...loadOptions, onWarning });
result.mid = await scoreGolden(mid, midPairs);
await mid.dispose();

const overflow = await Reranker.load({ model: models.overflow, gpu: "vulkan", ...loadOptions, onWarning });
result.overflow = await overflow.score([["q", "a passage"]]).then(
    (scores) => ({ scores }),
    (error) => ({ name: error.name, code: error.code, message: error.message })
);
// The reranker stays usable after the error.
result.overflow.afterError = await overflow.score([["q", "a passage"]]).catch((error) => error.code);
await overflow.dispose();

process.stdout.write(JSON.stringify(result));
