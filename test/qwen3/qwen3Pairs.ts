/**
 * Varied (query, document) pairs: short and long, relevant and not, code, CJK, emoji, digits,
 * contractions and whitespace runs, which exercise the Qwen2 pre-tokenizer's regex branches.
 */
export const qwen3Pairs: [string, string][] = [
    ["What is the capital of China?", "The capital of China is Beijing."],
    ["What is the capital of China?", "Gravity is a force that attracts two bodies towards each other."],
    ["Explain gravity", "Gravity is a force that attracts two bodies towards each other. It gives weight to physical objects."],
    ["Explain gravity", "The capital of China is Beijing."],
    ["how to reverse a list in python", "Use slicing: items[::-1] returns a reversed copy, while items.reverse() works in place."],
    ["how to reverse a list in python", "def add(a, b):\n    return a + b\n"],
    ["東京の人口は？", "東京都の人口は約1400万人です。"],
    ["東京の人口は？", "Paris is the capital and most populous city of France."],
    ["What's the boiling point of water?", "Water boils at 100 °C (212 °F) at sea level; it'd be lower on a mountain."],
    ["emoji meaning 🦙", "The llama emoji 🦙 shows a llama, a South American camelid. ✅"],
    ["price in 2024", "In 2024 the price rose from $3.50 to $4.25 — a 21.4% increase."],
    ["tabs and spaces", "Indentation:\n\tone tab\n    four spaces\n\n\nthree newlines   and trailing   "],
    ["Who wrote Hamlet?", "Hamlet is a tragedy written by William Shakespeare sometime between 1599 and 1601."],
    ["Who wrote Hamlet?", "Bananas are botanically berries, but strawberries are not."],
    ["", "An empty query still gets the full template."],
    ["Is this relevant?", ""],
    ["history of the printing press", longDocument()]
];

/** About 600 tokens of prose, so that errors that grow with the sequence length show. */
function longDocument(): string {
    const sentences = [
        "Johannes Gutenberg introduced movable-type printing to Europe around 1440.",
        "His press combined a screw press with oil-based ink and durable metal type.",
        "Within decades, printing shops had spread to more than two hundred cities.",
        "Books became cheaper, literacy rose, and ideas travelled faster than ever before.",
        "Historians still debate how much the press drove the Reformation and the Scientific Revolution."
    ];
    return Array.from({ length: 6 }, (_, i) => sentences.map((sentence) => `${sentence} (${i + 1})`).join(" ")).join("\n\n");
}
