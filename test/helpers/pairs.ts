// Queries and passages of varied lengths and scripts, shared by the model-dependent tests.
export const sampleQuery = "how do tides work?";

export const samplePassages = [
    "The moon's gravity pulls on the oceans, raising a bulge of water that follows it around the Earth.",
    "Bananas are yellow.",
    "Tides are caused by the gravitational interaction between the Earth, the Moon and the Sun. ".repeat(6),
    "潮汐是由月球和太阳的引力引起的。",
    "def tide_height(t):\n\treturn 1.2 * math.sin(2 * math.pi * t / 12.42)",
    "",
    "🌊🌕 high tide at 6pm",
    "Spring tides happen at new and full moon."
];
