/** What the editor mounts from the run module. */
export { edgeTypes } from './RunEdge';
export { NodeRunStatus } from './NodeRunStatus';
export { RunBar } from './RunBar';
export { RunButton } from './RunButton';
export { RunPanel } from './RunPanel';
export { RunStoreProvider } from './context';
export { useRunFollower } from './useRunFollower';
