import type { ContenderSummary } from "./BenchSummary.js";

export type ChartCaption = {
    title: string;
    lines: string[];
};

const barColors = ["#8c8c8c", "#5b8bd0", "#2f9e6b", "#d08b3a", "#9a6fc4", "#c95b5b"];

/** A horizontal bar chart of pairs/s per configuration, written by hand: no charting dependency. */
export function renderBarChartSvg(summaries: ContenderSummary[], caption: ChartCaption): string {
    const labelWidth = 300;
    const barArea = 420;
    const rowHeight = 34;
    const top = 30 + caption.lines.length * 18 + 16;
    const height = top + summaries.length * rowHeight + 40;
    const width = labelWidth + barArea + 120;
    const largest = Math.max(...summaries.map((summary) => summary.pairsPerSecond), 1e-9);
    const rows = summaries.map((summary, i) => {
        const y = top + i * rowHeight;
        const length = Math.max(1, (summary.pairsPerSecond / largest) * barArea);
        return [
            `<text x="${labelWidth - 10}" y="${y + 20}" text-anchor="end">${escapeXml(summary.label)}</text>`,
            `<rect x="${labelWidth}" y="${y + 6}" width="${length.toFixed(1)}" height="${rowHeight - 12}" fill="${barColors[i % barColors.length]}"/>`,
            `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 20}">${summary.pairsPerSecond.toFixed(2)} pairs/s</text>`
        ].join("\n  ");
    });
    const captionLines = caption.lines.map((line, i) => `<text x="16" y="${48 + i * 18}" font-size="12" fill="#555">${escapeXml(line)}</text>`);
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="14">`,
        `  <rect width="100%" height="100%" fill="white"/>`,
        `  <text x="16" y="24" font-size="16" font-weight="bold">${escapeXml(caption.title)}</text>`,
        `  ${captionLines.join("\n  ")}`,
        `  ${rows.join("\n  ")}`,
        `  <line x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${top + summaries.length * rowHeight}" stroke="#333"/>`,
        `  <text x="${labelWidth}" y="${height - 12}" font-size="12" fill="#555">pairs per second (median of rounds); higher is better</text>`,
        `</svg>`,
        ""
    ].join("\n");
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
