import { expect, it } from "vitest";
import { Reranker } from "../../../src/index.js";
import { testModels } from "../../helpers/testModels.js";
import { hfEncode, hfYesTokenId } from "../../reference/flagEmbeddingInput.js";

it('scores the first id of tok("Yes"), FlagEmbedding\'s yes_loc', async () => {
    const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
    try {
        expect(hfEncode("Yes")).toEqual([3553]);
        expect(reranker.describe().scoreTokens).toEqual([{ text: "Yes", id: hfYesTokenId() }]);
    } finally {
        await reranker.dispose();
    }
});
