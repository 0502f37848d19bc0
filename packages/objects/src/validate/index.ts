export { type NodeOperation, validateNode } from './validate-node';
export { type PathOperation, validateRequest } from './validate-request';
export { type ValueProblem, validateValue } from './validate-value';
export type { SuggestedResponse, ValidationCode, ValidationProblem } from './validation-problem';
