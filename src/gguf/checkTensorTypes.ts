import { UnsupportedModelError } from "../errors/errors.js";
import { ggmlTypeName, isWeightGgmlType } from "./ggmlTypeSizes.js";
import type { GgufTensorInfo } from "./readGgufHeader.js";

/**
 * Tensor types llama.cpp's kernels take where a model uses them:
 * - a 1-D tensor (a norm weight or a bias) is multiplied or added element-wise onto F32
 *   activations, and ggml-cpu binary-ops.cpp:135 (binary_op) aborts with "unsupported types" for
 *   any other type than F32 there (at the first decode). Converters always write them in F32.
 * - a matrix is multiplied (mul_mat) or looked up (get_rows): it must be a weight type, not one
 *   of the CPU backend's intermediate or integer types, which no matrix kernel takes.
 */
export function checkTensorTypes(path: string, tensors: readonly GgufTensorInfo[]): void {
    for (const tensor of tensors) {
        const type = ggmlTypeName(tensor.ggmlType);
        if (tensor.dimensions.length === 1 && tensor.ggmlType !== 0) {
            throw new UnsupportedModelError(
                `${path}: tensor ${tensor.name} is ${type}; llama.cpp's element-wise kernels need 1-D tensors (norms, biases) in F32`
            );
        }
        if (!isWeightGgmlType(tensor.ggmlType)) {
            throw new UnsupportedModelError(`${path}: tensor ${tensor.name} is ${type}, which llama.cpp's matrix kernels do not take as a weight`);
        }
    }
}
