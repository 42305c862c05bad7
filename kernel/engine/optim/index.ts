// Optimizers over Parameter[] or parameter groups, with torch.optim's update rules and defaults.

export {
  Optimizer,
  type BaseHyperparameters,
  type ParamGroup,
  type ParamsInput,
  type ParamState,
  type OptimizerStateDict,
  type OptimizerStateDictInput,
  type TensorLike,
  type HyperparameterValue,
} from './optimizer';
export { SGD, type SGDHyperparameters, type SGDOptions } from './sgd';
export { Adam, type AdamHyperparameters, type AdamOptions } from './adam';
export { AdamW } from './adamw';
export { RMSprop, type RMSpropHyperparameters, type RMSpropOptions } from './rmsprop';
