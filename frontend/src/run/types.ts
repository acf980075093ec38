/** Run wire types, taken from the generated schema (never written by hand). */
import type { components, operations } from '../api/schema';

type Schemas = components['schemas'];

/** One run event: the discriminated union the engine emits (`type` is the tag). */
export type RunEvent = Schemas['RunEventPage']['items'][number];
export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

export type Run = Schemas['Run'];
/** A run's status and times, without its inputs, outputs or nodes. */
export type RunSummary = Schemas['RunSummary'];
/** A run in a list, with its number in the workflow (#1 is the oldest). */
export type ListedRun = Schemas['ListedRun'];
export type RunPage = Schemas['RunPage'];
export type RunStatus = Schemas['RunStatus'];
export type ErrorInfo = Schemas['ErrorInfo'];
export type TokenUsage = Schemas['TokenUsage'];
export type StartRunBody = NonNullable<operations['startRun']['requestBody']>['content']['application/json'];

export const TERMINAL_EVENTS: ReadonlySet<RunEventType> = new Set([
  'run.succeeded',
  'run.failed',
  'run.cancelled',
]);

export const isFinished = (status: RunStatus): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'cancelled';
