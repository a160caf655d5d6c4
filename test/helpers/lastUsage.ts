import type { CallUsage } from "../../src/index.js";

/** Score options whose onUsage keeps the usage of the last call that ended. */
export function lastUsage(): { onUsage: (usage: CallUsage) => void; readonly last: CallUsage } {
    let last: CallUsage | undefined;
    return {
        onUsage: (usage) => (last = usage),
        get last(): CallUsage {
            if (!last) throw new Error("no call has ended yet");
            return last;
        }
    };
}
