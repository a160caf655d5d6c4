import type { SweepReport } from "./SweepReport.js";

const lineColors = ["#5b8bd0", "#2f9e6b", "#d08b3a", "#9a6fc4", "#c95b5b", "#8c8c8c", "#3aa6b9", "#b9a23a"];

/** pairs/s against batch size (log scale), one line per slot count; written by hand, no dependency. */
export function renderSweepChartSvg(report: SweepReport, title: string): string {
    const left = 70;
    const top = 70;
    const plotWidth = 560;
    const plotHeight = 300;
    const width = left + plotWidth + 170;
    const height = top + plotHeight + 60;
    const batchSizes = [...new Set(report.points.map((point) => point.batchSize))].sort((a, b) => a - b);
    const largest = Math.max(...report.points.map((point) => point.pairsPerSecond), 1e-9);
    const x = (batch: number) =>
        batchSizes.length === 1
            ? left + plotWidth / 2
            : left + ((Math.log2(batch) - Math.log2(batchSizes[0]!)) / (Math.log2(batchSizes.at(-1)!) - Math.log2(batchSizes[0]!))) * plotWidth;
    const y = (pairsPerSecond: number) => top + plotHeight - (pairsPerSecond / largest) * plotHeight;
    const slotCounts = [...new Set(report.points.map((point) => point.requestedSlots))].sort((a, b) => a - b);
    const series = slotCounts.map((slots, i) => {
        const points = report.points.filter((point) => point.requestedSlots === slots).sort((a, b) => a.batchSize - b.batchSize);
        const color = lineColors[i % lineColors.length]!;
        const path = points.map((point) => `${x(point.batchSize).toFixed(1)},${y(point.pairsPerSecond).toFixed(1)}`).join(" ");
        return [
            `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`,
            ...points.map((point) => `<circle cx="${x(point.batchSize).toFixed(1)}" cy="${y(point.pairsPerSecond).toFixed(1)}" r="3.5" fill="${color}"/>`),
            `<text x="${left + plotWidth + 16}" y="${top + 14 + i * 18}" fill="${color}">${slots} slot${slots === 1 ? "" : "s"}</text>`
        ].join("\n  ");
    });
    const xTicks = batchSizes.map(
        (batch) =>
            `<line x1="${x(batch).toFixed(1)}" y1="${top + plotHeight}" x2="${x(batch).toFixed(1)}" y2="${top + plotHeight + 5}" stroke="#333"/><text x="${x(batch).toFixed(1)}" y="${top + plotHeight + 20}" text-anchor="middle" font-size="12">${batch}</text>`
    );
    const yTicks = [0, 0.25, 0.5, 0.75, 1].map(
        (fraction) =>
            `<text x="${left - 8}" y="${(y(largest * fraction) + 4).toFixed(1)}" text-anchor="end" font-size="12">${(largest * fraction).toFixed(2)}</text>`
    );
    const { best, backend } = report;
    const device = backend.devices.length === 0 ? "CPU" : backend.devices.map((entry) => entry.description).join(", ");
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="14">`,
        `  <rect width="100%" height="100%" fill="white"/>`,
        `  <text x="16" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
        `  <text x="16" y="44" font-size="12" fill="#555">${escapeXml(`${backend.gpu === false ? "cpu" : backend.gpu} on ${device}; best: ${best.slots} slots, batch ${best.batchSize}, ${best.pairsPerSecond.toFixed(2)} pairs/s`)}</text>`,
        `  <line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
        `  <line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
        `  ${xTicks.join("\n  ")}`,
        `  ${yTicks.join("\n  ")}`,
        `  ${series.join("\n  ")}`,
        `  <text x="${left + plotWidth / 2}" y="${height - 12}" text-anchor="middle" font-size="12" fill="#555">batch size (tokens per llama_decode)</text>`,
        `  <text x="16" y="${top - 10}" font-size="12" fill="#555">pairs/s</text>`,
        `</svg>`,
        ""
    ].join("\n");
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
