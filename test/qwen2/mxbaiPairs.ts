export { qwen3Pairs as mxbaiPairs } from "../qwen3/qwen3Pairs.js";
