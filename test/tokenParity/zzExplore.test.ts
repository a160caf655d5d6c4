import { it } from "vitest";
import { Reranker } from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";

it("explore", async () => {
    for (const maxLength of [512, 16, 7, 4000, 512]) {
        console.time("load" + maxLength);
        const r = await Reranker.load({ model: testModels.tiny, gpu: false, maxLength });
        console.timeEnd("load" + maxLength);
        console.log(JSON.stringify(r.describe().settings));
        await r.dispose();
    }
});
