/** PLACEHOLDER: measured below */
export const logitDifferenceTolerance = 1e-5;
