export { startController, type StartedController } from './server.js';
export {
  createController,
  type Controller,
  type ControllerStatus,
  type ControllerPhase,
} from './controller.js';
export { controllerConfigSchema, type ControllerConfig, type ControllerConfigInput } from './config.js';
