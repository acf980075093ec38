/**
 * The editor's Run button: saves unsaved edits first, asks for inputs when the workflow
 * has any, starts the run and shows it on the canvas. Disabled, with the reason in its
 * tooltip, while the saved workflow has problems that stop it from running or has no node
 * to run (notes and groups never run; the server would refuse it).
 */
import { Button, Kbd, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { Play } from 'lucide-react';
import { useState } from 'react';

import { errorMessage } from '../api/errors';
import { MOD } from '../canvas/CanvasToolbar';
import { useEditorStore, useEditorStoreApi } from '../canvas/context';
import { problemCount } from '../canvas/problems';
import { selectIsDirty } from '../canvas/store';
import { isAnnotation } from '../canvas/types';
import { runKeys, startRun } from './api';
import { useRunStore, useRunStoreApi } from './context';
import { workflowInputs, type WorkflowInput } from './inputs';
import { RunInputsDialog } from './RunInputsDialog';
import { isFinished } from './types';

interface Props {
  workflowId: string;
  /** Save unsaved edits (resolves when the save is over, whatever its outcome). */
  onSave: () => Promise<void>;
  /** Why the editor cannot run now (e.g. a save conflict), if it cannot. */
  blockedReason?: string | null;
  /** Starts the run (a shared link starts it through the link); the workflow API by default. */
  start?: (inputs: Record<string, string>) => Promise<{ id: string }>;
}

const errorsOf = (count: number) => `${count} problem${count === 1 ? '' : 's'}`;

export function RunButton({ workflowId, onSave, blockedReason = null, start }: Props) {
  const editor = useEditorStoreApi();
  const runs = useRunStoreApi();
  const queryClient = useQueryClient();
  const errors = useEditorStore((state) => problemCount(state.problems).errors);
  const empty = useEditorStore((state) => state.nodes.every((node) => isAnnotation(node.data.kind)));
  const active = useRunStore((state) => state.picture !== null && !isFinished(state.picture.status));
  const [asking, setAsking] = useState<WorkflowInput[] | null>(null);
  const [starting, setStarting] = useState(false);
  const blocked =
    blockedReason ??
    (errors > 0
      ? `Fix ${errorsOf(errors)} before running (see Problems)`
      : empty
        ? 'Add a node to run this workflow'
        : null);

  const run = async (inputs: Record<string, string>) => {
    setStarting(true);
    try {
      const started = await (start ? start(inputs) : startRun(workflowId, inputs));
      setAsking(null);
      runs.getState().show(started.id);
      void queryClient.invalidateQueries({ queryKey: runKeys.list(workflowId) });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not start the run', message: errorMessage(error) });
    } finally {
      setStarting(false);
    }
  };

  const begin = async () => {
    if (blocked || starting) return;
    if (selectIsDirty(editor.getState())) {
      setStarting(true);
      await onSave();
      setStarting(false);
      if (selectIsDirty(editor.getState())) {
        notifications.show({ color: 'red', title: 'Not run', message: 'Save the workflow first.' });
        return;
      }
      const found = problemCount(editor.getState().problems).errors;
      if (found > 0) {
        notifications.show({
          color: 'red',
          title: 'Not run',
          message: `The workflow has ${errorsOf(found)} that stop it from running.`,
        });
        return;
      }
    }
    const inputs = workflowInputs(editor.getState().nodes);
    if (inputs.length > 0) setAsking(inputs);
    else await run({});
  };

  useHotkeys([['mod+Enter', () => void begin()]]);

  return (
    <>
      <Tooltip
        label={
          blocked ?? (
            <>
              {active ? 'Run again' : 'Run workflow'} <Kbd size="xs">{MOD}</Kbd> <Kbd size="xs">Enter</Kbd>
            </>
          )
        }
      >
        {/* A wrapper so the tooltip still shows over a disabled button. */}
        <span>
          <Button
            leftSection={<Play size={16} fill="currentColor" />}
            color="teal"
            onClick={() => void begin()}
            loading={starting && asking === null}
            disabled={blocked !== null}
            aria-description={blocked ?? undefined}
          >
            Run
          </Button>
        </span>
      </Tooltip>
      <RunInputsDialog
        inputs={asking}
        starting={starting}
        onClose={() => setAsking(null)}
        onRun={(values) => void run(values)}
      />
    </>
  );
}
