/** The local driver: public API. */
export { localDriver } from './local-driver.js';
export { startLocalStack } from './driver.js';
export { LocalStack, collectLedgers } from './stack.js';
export { readActiveStack, AttachedStack, signalComponent } from './attach.js';
export { downStacks, downStack, reapOwnerless } from './down.js';
export { listStacks, type LocalStackRecord } from './list.js';
export { launchDetached, defaultRunDir, type LaunchOptions } from './launch.js';
export { hostStack, type HostSpec } from './host.js';
export { readState, statePath, type StackState, type StackEndpoints } from './state.js';
export { chaosbankHome, listRegistered } from './registry.js';
export { waitFor, portOpen, httpOk, tryConnect } from './wait.js';
