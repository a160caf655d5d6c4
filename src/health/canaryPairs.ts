import type { Canary } from "./ModelHealth.js";

/**
 * The health check's canaries: in four languages (every multilingual reranker the profiles serve
 * was trained on them), a factual query, a passage that answers it word for word and one about
 * something else entirely. Short, so the check costs about one small rerank call; no reranker that
 * works can rank them the wrong way round in all four.
 */
export const builtinCanaries: readonly Canary[] = [
    {
        language: "en",
        query: "What is the capital of France?",
        relevant: "Paris is the capital and largest city of France.",
        irrelevant: "Bananas are rich in potassium and are usually eaten raw."
    },
    {
        language: "de",
        query: "Wie hoch ist die Zugspitze?",
        relevant: "Die Zugspitze ist mit 2962 Metern der höchste Berg Deutschlands.",
        irrelevant: "Den Kuchen bei 180 Grad etwa vierzig Minuten backen."
    },
    {
        language: "zh",
        query: "长城有多长？",
        relevant: "长城全长约两万一千公里，是世界上最长的城墙。",
        irrelevant: "猫是一种常见的宠物，每天要睡很长时间。"
    },
    {
        language: "es",
        query: "¿Cuándo llegó el ser humano a la Luna?",
        relevant: "El 20 de julio de 1969 el Apolo 11 llevó a los primeros astronautas a la superficie de la Luna.",
        irrelevant: "La paella es un plato de arroz típico de Valencia."
    }
];
