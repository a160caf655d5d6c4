import type { GpuOption, LlamaBuildOption } from "../native/HostDescription.js";
import { InProcessHost } from "../native/InProcessHost.js";
import { environmentCmakeOptions } from "../native/llamaSelectionOptions.js";
import { readLocalBuildRecord } from "../native/LocalBuildRecord.js";
import { chooseLlamaBuild, type LlamaBuildChoice } from "./chooseLlamaBuild.js";

/** chooseLlamaBuild with what this process knows: the build record, the environment, the build already loaded. */
export function llamaBuildForFile(request: { asked: LlamaBuildOption; gpu: GpuOption; isolated: boolean }, weightType: string): LlamaBuildChoice {
    return chooseLlamaBuild({
        ...request,
        weightType,
        record: request.asked === "auto" ? readLocalBuildRecord().record : undefined,
        environmentNamesBuild: Object.keys(environmentCmakeOptions(process.env)).length > 0,
        loadedInProcess: InProcessHost.loadedBuild
    });
}
