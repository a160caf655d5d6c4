import { RerankError } from "./RerankError.js";

export class SequenceTooLongError extends RerankError {
    readonly sequenceIndex: number;

    constructor(sequenceIndex: number, length: number, limit: number) {
        super("ERR_SEQUENCE_TOO_LONG", `sequence ${sequenceIndex} has ${length} tokens; this reranker holds at most ${limit} per sequence`);
        this.sequenceIndex = sequenceIndex;
    }
}
