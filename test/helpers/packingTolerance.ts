import { blasPackingTolerance, packingTolerance as ggmlPackingTolerance } from "../../src/bench/errorBudget.js";
import { isCpuBlasBuild } from "../../src/load/chooseLlamaBuild.js";
import { readLocalBuildRecord } from "../../src/native/LocalBuildRecord.js";

/**
 * |score in a batch − score alone| allowed for the F32 test models on the CPU with llamaBuild
 * "auto": ggml's own kernels, or a local BLAS build when one exists (it takes F32 files), whose
 * products depend on the batch's size. Both measured in src/bench/errorBudget.ts.
 */
export const blasBuildInUse = isCpuBlasBuild(readLocalBuildRecord().record);
export const packingTolerance = blasBuildInUse ? blasPackingTolerance : ggmlPackingTolerance;
